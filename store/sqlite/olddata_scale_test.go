package sqlite

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestOldReleaseRoutesHaveNoConcurrencyLimit: the November 2026
// revisions' routes were written before route.maxConcurrency: they read
// as zero (the router's default).
func TestOldReleaseRoutesHaveNoConcurrencyLimit(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		svcs, err := tx.ListServices()
		if err != nil || len(svcs) == 0 {
			t.Fatalf("services: %d, %v", len(svcs), err)
		}
		for _, svc := range svcs {
			rev, err := tx.GetRevision(svc.Name, svc.Revision)
			if err != nil {
				return err
			}
			if n := rev.Spec.Route.MaxConcurrency; n != 0 {
				t.Errorf("revision %d of %s: maxConcurrency %d", rev.Number, svc.Name, n)
			}
		}
		return nil
	})
}

// TestScaleWrittenBeforeWindowsReadsDefaults: a scale section as the
// release before configurable windows stored it (the November 2026 data
// predates scale: altogether, so it is spelled out here) reads with zero
// windows and threshold (the defaults), and is written back unchanged.
func TestScaleWrittenBeforeWindowsReadsDefaults(t *testing.T) {
	old := []byte(`{"min":0,"max":3,"target":{"rps":5},"idleAfter":"5m","stabilization":{"up":"0s","down":"2m"}}`)
	var d scaleDoc
	if err := json.Unmarshal(old, &d); err != nil {
		t.Fatal(err)
	}
	sc := fromScaleDoc(d)
	if sc.StableWindow.Duration != 0 || sc.PanicWindow.Duration != 0 || sc.PanicThreshold != 0 {
		t.Errorf("windows %s/%s threshold %g, want zero (defaults)", sc.StableWindow, sc.PanicWindow, sc.PanicThreshold)
	}
	again, err := json.Marshal(toScaleDoc(sc))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, old) {
		t.Errorf("written back differently\n old: %s\n now: %s", old, again)
	}
}
