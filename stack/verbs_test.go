package stack

import (
	"errors"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/store"
)

// withService stores one service record and its revisions 1..2.
func withService(t *testing.T, svc store.Service) store.Store {
	t.Helper()
	s := store.NewMemory()
	err := s.Update(t.Context(), func(tx store.Tx) error {
		for n := 1; n <= 2; n++ {
			if _, err := tx.CreateRevision(store.Revision{Service: svc.Name, Number: n, State: store.RevisionPending, CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.PutService(svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func canaryService(c store.Canary) store.Service {
	return store.Service{Name: "order", Revision: 2, Stable: 1, Phase: store.PhaseProgressing, Canary: &c}
}

func edit(t *testing.T, s store.Store, fn func(tx store.Tx) error) (store.Service, error) {
	t.Helper()
	err := s.Update(t.Context(), fn)
	var svc store.Service
	_ = s.View(t.Context(), func(tx store.Tx) error {
		var err error
		svc, err = tx.GetService("order")
		return err
	})
	return svc, err
}

func TestCanaryVerbs(t *testing.T) {
	running := store.Canary{Revision: 2, Stable: 1, Step: 1, Weight: 10}
	inconclusive := running
	inconclusive.Paused, inconclusive.PauseReason = true, "analysis inconclusive"
	inconclusive.Analysis = &store.AnalysisRun{Phase: analysis.PhaseInconclusive, Reason: "too many inconclusive",
		Metrics: []store.MetricRun{{Name: "ok", Tally: analysis.Tally{Inconclusives: 2, Phase: analysis.PhaseInconclusive}}}}
	tests := []struct {
		name  string
		c     store.Canary
		verb  func(tx store.Tx) error
		check func(c store.Canary) bool
		err   string
	}{
		{"pause", running, func(tx store.Tx) error { return Pause(tx, "order", "looking at dashboards", now) },
			func(c store.Canary) bool { return c.Paused && c.PauseReason == "paused by looking at dashboards" }, ""},
		{"resume a running canary", running, func(tx store.Tx) error { return Resume(tx, "order", now) }, nil, "is not paused"},
		{"resume measures an inconclusive analysis afresh", inconclusive, func(tx store.Tx) error { return Resume(tx, "order", now) },
			func(c store.Canary) bool {
				return !c.Paused && c.Analysis.Phase == analysis.PhaseRunning && c.Analysis.Metrics[0].Tally.Inconclusives == 0
			}, ""},
		{"abort", running, func(tx store.Tx) error { return Abort(tx, "order", "", now) },
			func(c store.Canary) bool { return c.Abort == "a person" }, ""},
		{"set-weight", running, func(tx store.Tx) error { return SetWeight(tx, "order", 40, now) },
			func(c store.Canary) bool { return c.Weight == 40 && c.Paused }, ""},
		{"set-weight above 100", running, func(tx store.Tx) error { return SetWeight(tx, "order", 120, now) }, nil, "must be 0..100"},
		{"promote", running, func(tx store.Tx) error { return Promote(tx, "order", false, now) },
			func(c store.Canary) bool { return c.Skip && !c.Full }, ""},
		{"promote --full through a pause", inconclusive, func(tx store.Tx) error { return Promote(tx, "order", true, now) },
			func(c store.Canary) bool { return c.Skip && c.Full && !c.Paused }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := withService(t, canaryService(tc.c))
			svc, err := edit(t, s, tc.verb)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				if *svc.Canary != tc.c && !strings.Contains(tc.name, "inconclusive") {
					t.Fatalf("a refused verb changed the canary: %+v", svc.Canary)
				}
				return
			}
			if err != nil || !tc.check(*svc.Canary) {
				t.Fatalf("err %v canary %+v", err, svc.Canary)
			}
		})
	}
}

func TestVerbsAfterACanaryWasRolledBack(t *testing.T) {
	c := store.Canary{Revision: 2, Stable: 1, Outcome: store.CanaryRolledBack, Reason: "analysis failed: ok 0.8 does not meet result >= 0.99"}
	svc := store.Service{Name: "order", Revision: 1, Stable: 1, Phase: store.PhaseReady, Canary: &c}
	s := withService(t, svc)
	for name, verb := range map[string]func(tx store.Tx) error{
		"promote": func(tx store.Tx) error { return Promote(tx, "order", false, now) },
		"pause":   func(tx store.Tx) error { return Pause(tx, "order", "", now) },
	} {
		_, err := edit(t, s, verb)
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "was rolled back (analysis failed") || !strings.Contains(err.Error(), "slipway rollout retry order") {
			t.Errorf("%s after a failed analysis: %v", name, err)
		}
	}
	var op *store.Operation
	svc, err := edit(t, s, func(tx store.Tx) error {
		var err error
		op, err = Retry(tx, "order", now)
		return err
	})
	if err != nil || op == nil || (op.Changes[0].From != 1 || op.Changes[0].To != 2) || op.Kind != store.KindApply {
		t.Fatalf("retry: %v %+v", err, op)
	}
	if _, err := edit(t, s, func(tx store.Tx) error { _, err := Retry(tx, "order", now); return err }); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second retry while the first runs: %v", err)
	}
}

func TestVerbsOnAnUnknownService(t *testing.T) {
	s := store.NewMemory()
	if _, err := edit(t, s, func(tx store.Tx) error { return Pause(tx, "nope", "", now) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pause of an unknown service: %v", err)
	}
}

func TestAKillOutlivesAnApplyThatChangesTheFlag(t *testing.T) {
	s := store.NewMemory()
	app := parse(t, `app: shop
services:
  order: {run: [./order]}
flags:
  cache:
    class: operational
    type: boolean
    default: off
    rollout: {on: 100}
`)
	if err := s.Update(t.Context(), func(tx store.Tx) error {
		if _, err := ApplyFlags(tx, app, Source{File: "slipway.yaml"}, now); err != nil {
			return err
		}
		return EditFlag(tx, "cache", KillFlag("poisoned"), now)
	}); err != nil {
		t.Fatal(err)
	}
	app.Flags["cache"].Description = "a change in the spec"
	if err := s.Update(t.Context(), func(tx store.Tx) error {
		_, err := ApplyFlags(tx, app, Source{File: "slipway.yaml"}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_ = s.View(t.Context(), func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		if err != nil || !c.Overrides["cache"].Killed || c.Revision != 3 {
			t.Fatalf("after the apply: %v revision %d overrides %+v", err, c.Revision, c.Overrides)
		}
		return nil
	})
}
