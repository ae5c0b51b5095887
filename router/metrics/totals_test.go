package metrics

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/router"
)

// Totals counts every request and error of a revision since its first,
// across instances, with latencies in the bins LatencyUpper names.
func TestTotals(t *testing.T) {
	m := New(Options{})
	for i := range 100 {
		status := 200
		if i%10 == 0 {
			status = 503
		}
		m.Observe(router.Sample{Service: "s", Revision: 2, Instance: []string{"a", "b"}[i%2], Status: status, Duration: time.Duration(i+1) * time.Millisecond})
	}
	m.Observe(router.Sample{Service: "s", Revision: 1, Instance: "c", Status: 200, Duration: time.Millisecond})
	var got analysis.Totals
	m.Totals("s", 2, &got)
	if got.Requests != 100 || got.Errors != 10 {
		t.Fatalf("totals: %d requests, %d errors; want 100, 10", got.Requests, got.Errors)
	}
	up := m.LatencyUpper()
	lo, hi, n := analysis.QuantileBounds(got.Latency, up, 0.5, 0.05)
	if n != 100 || lo > 0.0505 || hi < 0.0505 {
		t.Errorf("median of 1..100ms bounded by [%v, %v] over %d", lo, hi, n)
	}
	if e := analysis.QuantileEstimate(got.Latency, up, 0.5); e < 0.050*15/16 || e > 0.050*17/16 {
		t.Errorf("median estimate %v, want 50ms within 1/16", e)
	}
	m.Totals("s", 9, &got)
	if got.Requests != 0 || got.Errors != 0 || len(got.Latency) != len(up) {
		t.Errorf("unknown revision: %+v", got)
	}
	allocs := testing.AllocsPerRun(100, func() { m.Totals("s", 2, &got) })
	if allocs != 0 {
		t.Errorf("Totals allocates %v times with room", allocs)
	}
}

// Errors signals after a 5xx is counted, not after a success, and a
// burst of errors leaves one signal pending, not a blocked request path.
func TestErrorsSignal(t *testing.T) {
	m := New(Options{})
	errs := m.Errors()
	m.Observe(router.Sample{Service: "s", Revision: 1, Instance: "a", Status: 200, Duration: time.Millisecond})
	select {
	case <-errs:
		t.Fatal("a success signalled")
	default:
	}
	for range 3 {
		m.Observe(router.Sample{Service: "s", Revision: 1, Instance: "a", Status: 500, Duration: time.Millisecond})
	}
	select {
	case <-errs:
	default:
		t.Fatal("errors did not signal")
	}
	var got analysis.Totals
	m.Totals("s", 1, &got)
	if got.Errors != 3 {
		t.Errorf("after the signal Totals shows %d errors, want 3", got.Errors)
	}
	select {
	case <-errs:
		t.Fatal("three errors left more than one signal")
	default:
	}
}
