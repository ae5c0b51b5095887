package health

import (
	"fmt"

	"github.com/slipway-dev/slipway/spec"
)

// State is a check's verdict on an instance.
//
//	Unknown --SuccessThreshold passes--> Passing
//	Unknown --FailureThreshold failures--> Failing  (Extra failures not counted)
//	Passing --FailureThreshold consecutive failures--> Failing
//	Failing --SuccessThreshold consecutive passes--> Passing
type State int

// Check states.
const (
	Unknown State = iota
	Passing
	Failing
)

func (s State) String() string {
	switch s {
	case Passing:
		return "passing"
	case Failing:
		return "failing"
	default:
		return "unknown"
	}
}

// Result is the outcome of one check.
type Result struct {
	OK bool
	// Detail says what was seen: "GET / -> 200", "connection refused".
	Detail string
}

// Tracker applies a probe's thresholds to its results. The zero value is
// not usable; use NewTracker.
type Tracker struct {
	success, failure int // thresholds
	state            State
	passes, fails    int // consecutive
	last             Result
}

// NewTracker returns a Tracker in state Unknown (or initial, when the
// caller knows better, e.g. readiness remembered across a restart).
func NewTracker(p spec.Probe, initial State) *Tracker {
	return &Tracker{success: max(p.SuccessThreshold, 1), failure: max(p.FailureThreshold, 1), state: initial}
}

// Observe records one result and reports whether the state changed.
func (t *Tracker) Observe(r Result) bool {
	t.last = r
	if r.OK {
		t.passes, t.fails = t.passes+1, 0
		if t.state != Passing && t.passes >= t.success {
			t.state = Passing
			return true
		}
		return false
	}
	t.passes, t.fails = 0, t.fails+1
	if t.state != Failing && t.fails >= t.failure {
		t.state = Failing
		return true
	}
	return false
}

// Extra records the result of a check between the probe's own, one of
// the fast checks of an instance that is not ready yet (see
// Monitor): a pass counts as Observe's, a failure is noted (Summary
// shows it) but not counted toward the failure threshold, so that
// checking a starting instance often, to see it ready soon, never makes
// it fail sooner than its probe's interval and threshold say. It
// reports whether the state changed.
func (t *Tracker) Extra(r Result) bool {
	if r.OK {
		return t.Observe(r)
	}
	t.last, t.passes = r, 0
	return false
}

// State returns the current verdict.
func (t *Tracker) State() State { return t.state }

// Summary explains the verdict in a line: "failing: GET / -> 503 (3 in a row)".
func (t *Tracker) Summary() string {
	if t.last.Detail == "" {
		return t.state.String()
	}
	if t.fails > 0 {
		return fmt.Sprintf("%s: %s (%d in a row)", t.state, t.last.Detail, t.fails)
	}
	return fmt.Sprintf("%s: %s", t.state, t.last.Detail)
}
