package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

func sampleFlagConfig(reason string) store.FlagConfig {
	off := false
	return store.FlagConfig{
		Flags: map[string]*spec.Flag{"new-checkout": {Key: "new-checkout", Class: "release", Type: "boolean", Default: "off",
			Rollout: map[string]float64{"on": 25, "off": 75}}},
		Segments:  map[string]*spec.Segment{"beta": {If: `ctx.email.endsWith("@shop.example")`}},
		Overrides: map[string]store.FlagOverride{"new-checkout": {Enabled: &off, Rollout: map[string]float64{"on": 50, "off": 50}}},
		Reason:    reason,
		CreatedAt: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC),
		Changed:   map[string]time.Time{"new-checkout": time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)},
	}
}

func testFlagConfigs(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetFlagConfig(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetFlagConfig on an empty store: %v, want ErrNotFound", err)
		}
		if rev, err := tx.FlagConfigRevision(); err != nil || rev != 0 {
			t.Errorf("FlagConfigRevision on an empty store: %d %v, want 0", rev, err)
		}
		return nil
	})
	for i, reason := range []string{"applied", "rollout 50%", "killed"} {
		update(t, s, func(tx store.Tx) error {
			next := sampleFlagConfig(reason)
			next.Revision = i // made from the latest
			c, err := tx.CreateFlagConfig(next)
			equal(t, "revision", c.Revision, i+1)
			return err
		})
	}
	view(t, s, func(tx store.Tx) error {
		rev, err := tx.FlagConfigRevision()
		must(t, err)
		equal(t, "FlagConfigRevision", rev, 3)
		c, err := tx.GetFlagConfig()
		must(t, err)
		want := sampleFlagConfig("killed")
		want.Revision = 3
		// Flags are spec values with custom encodings: compare as stored.
		equal(t, "latest", jsonOf(t, c), jsonOf(t, want))
		all, err := tx.ListFlagConfigs(2)
		must(t, err)
		if len(all) != 2 || all[0].Revision != 3 || all[1].Revision != 2 {
			t.Errorf("ListFlagConfigs(2): %d configs, want revisions 3 then 2", len(all))
		}
		return nil
	})
}

func testFlagUsage(t *testing.T, s store.Store) {
	at := time.Date(2026, 11, 27, 12, 0, 0, 123, time.UTC)
	update(t, s, func(tx store.Tx) error {
		return tx.PutFlagUsage(map[string]time.Time{"a": at, "b": at})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.PutFlagUsage(map[string]time.Time{"b": at.Add(time.Hour)})
	})
	view(t, s, func(tx store.Tx) error {
		u, err := tx.ListFlagUsage()
		must(t, err)
		equal(t, "usage", u, map[string]time.Time{"a": at, "b": at.Add(time.Hour)})
		return nil
	})
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}
