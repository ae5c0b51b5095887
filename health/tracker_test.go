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

// TestTrackerExtraCountsOnlyPasses: a fast check between the probe's own
// can make a starting instance ready, but its failures do not count
// toward the failure threshold (nor break a run of counted failures);
// a failure still breaks a run of passes.
func TestTrackerExtraCountsOnlyPasses(t *testing.T) {
	ok, bad := Result{OK: true, Detail: "GET /healthz -> 200"}, Result{Detail: "connection refused"}
	for _, tc := range []struct {
		name    string
		initial State
		success int
		failure int
		extra   []bool // each result through Extra (else Observe)
		results []Result
		want    State
	}{
		{"extra failures never fail a starting instance", Unknown, 1, 2, []bool{true, true, true, true, true}, []Result{bad, bad, bad, bad, bad}, Unknown},
		{"counted failures still do", Unknown, 1, 2, []bool{false, true, true, false}, []Result{bad, bad, bad, bad}, Failing},
		{"an extra pass makes ready", Unknown, 1, 3, []bool{false, true, true}, []Result{bad, bad, ok}, Passing},
		{"an extra failure breaks a run of passes", Failing, 2, 1, []bool{true, true, true}, []Result{ok, bad, ok}, Failing},
		{"extra passes in a row make ready", Failing, 2, 1, []bool{true, true}, []Result{ok, ok}, Passing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := NewTracker(spec.Probe{SuccessThreshold: tc.success, FailureThreshold: tc.failure}, tc.initial)
			for i, r := range tc.results {
				if tc.extra[i] {
					tr.Extra(r)
				} else {
					tr.Observe(r)
				}
			}
			if got := tr.State(); got != tc.want {
				t.Fatalf("state %s, want %s", got, tc.want)
			}
		})
	}
}

func TestTrackerSummaryShowsAnExtraFailure(t *testing.T) {
	tr := NewTracker(spec.Probe{FailureThreshold: 3, SuccessThreshold: 1}, Unknown)
	tr.Extra(Result{Detail: "GET /healthz: connect: connection refused"})
	if got, want := tr.Summary(), "unknown: GET /healthz: connect: connection refused"; got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
}
