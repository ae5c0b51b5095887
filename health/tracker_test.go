package health

import (
	"testing"

	"github.com/slipway-dev/slipway/spec"
)

func TestTrackerTransitions(t *testing.T) {
	ok, bad := Result{OK: true, Detail: "ok"}, Result{Detail: "refused"}
	tests := []struct {
		name    string
		initial State
		success int
		failure int
		results []Result
		want    []State // state after each result
	}{
		{"first pass makes ready", Unknown, 1, 3, []Result{bad, ok}, []State{Unknown, Passing}},
		{"unknown fails after threshold", Unknown, 1, 2, []Result{bad, bad}, []State{Unknown, Failing}},
		{"passing tolerates blips", Passing, 1, 3, []Result{bad, bad, ok, bad, bad}, []State{Passing, Passing, Passing, Passing, Passing}},
		{"passing fails after consecutive", Passing, 1, 3, []Result{bad, bad, bad}, []State{Passing, Passing, Failing}},
		{"failing needs success threshold", Failing, 2, 1, []Result{ok, bad, ok, ok}, []State{Failing, Failing, Failing, Passing}},
		{"zero thresholds act as one", Unknown, 0, 0, []Result{bad, ok}, []State{Failing, Passing}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker(spec.Probe{SuccessThreshold: tc.success, FailureThreshold: tc.failure}, tc.initial)
			for i, r := range tc.results {
				before := tr.State()
				changed := tr.Observe(r)
				if got := tr.State(); got != tc.want[i] {
					t.Fatalf("after result %d: state %s, want %s", i, got, tc.want[i])
				}
				if changed != (before != tr.State()) {
					t.Fatalf("after result %d: changed=%v but state %s -> %s", i, changed, before, tr.State())
				}
			}
		})
	}
}

func TestTrackerSummaryCountsFailures(t *testing.T) {
	tr := NewTracker(spec.Probe{FailureThreshold: 3, SuccessThreshold: 1}, Passing)
	for range 3 {
		tr.Observe(Result{Detail: "GET / -> 503"})
	}
	if got, want := tr.Summary(), "failing: GET / -> 503 (3 in a row)"; got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
}
