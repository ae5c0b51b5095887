package health

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// TestPeriod: until readiness passes, checks come every 1ms (an exec
// check every 5ms) for the first 300ms, then doubling up to the start-up
// cap or the interval, whichever is less; once it passes, and for
// liveness, the interval.
func TestPeriod(t *testing.T) {
	second := spec.Probe{HTTP: "/", Interval: spec.Duration{Duration: time.Second}}
	fast := spec.Probe{TCP: true, Interval: spec.Duration{Duration: 50 * time.Millisecond}}
	exec := spec.Probe{Exec: []string{"true"}, Interval: spec.Duration{Duration: time.Second}}
	for _, tc := range []struct {
		p    spec.Probe
		k    Kind
		s    State
		n    int
		want time.Duration
	}{
		{second, Readiness, Unknown, 0, time.Millisecond},
		{second, Readiness, Unknown, 1, time.Millisecond},
		{second, Readiness, Failing, 299, time.Millisecond},
		{second, Readiness, Failing, 300, 2 * time.Millisecond},
		{second, Readiness, Failing, 303, 16 * time.Millisecond},
		{second, Readiness, Failing, 308, startupPeriod},
		{second, Readiness, Failing, 900, startupPeriod},
		{fast, Readiness, Failing, 306, 50 * time.Millisecond},
		{exec, Readiness, Unknown, 0, 5 * time.Millisecond},
		{exec, Readiness, Failing, 59, 5 * time.Millisecond},
		{exec, Readiness, Failing, 60, 10 * time.Millisecond},
		{exec, Readiness, Failing, 65, startupPeriod},
		{second, Readiness, Passing, 0, time.Second},
		{second, Liveness, Unknown, 0, time.Second},
		{spec.Probe{}, Readiness, Passing, 0, time.Second},
	} {
		if got := period(tc.p, tc.k, tc.s, tc.n); got != tc.want {
			t.Errorf("period(%s, %v, %v, %d) = %s, want %s", tc.p.Interval, tc.k, tc.s, tc.n, got, tc.want)
		}
	}
}
