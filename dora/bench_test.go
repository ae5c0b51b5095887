package dora

import (
	"fmt"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// syntheticLog returns a history of about n events of the types a
// rollout writes (its starts too, which Compute skips; a real log is
// mostly instance events, which the store's read leaves out), spread over
// 90 days: 20 services deploying with commits, every 7th deployment
// failing, every 13th rolled back, every 17th with an incident.
func syntheticLog(n int) *log {
	l := &log{}
	rev := map[string]int{}
	step := 90 * 24 / float64(n) // hours per event
	at := 0.0
	for i := 0; len(l.evs) < n; i++ {
		svc := fmt.Sprintf("svc-%02d", i%20)
		op := int64(i + 1)
		rev[svc]++
		r := rev[svc]
		switch {
		case i%7 == 6:
			l.failDeploy(op, svc, r, r-1, at, at+step, at+2*step, store.EventRolloutFailed)
		default:
			l.add(at, store.EventRolloutStarted, svc, 0, op, "")
			l.add(at+step, store.EventRolloutSucceeded, svc, r, op,
				fmt.Sprintf(`{"artifact":{"path":"bin/%s","version":"v%d","digest":"sha256:%064d","commit":"%040x","commitTime":%q}}`,
					svc, r, i, i, hr(at-3).Format(time.RFC3339)))
		}
		switch {
		case i%13 == 12 && i%7 != 6:
			l.rollback(op+1_000_000, svc, r-1, at+3*step, at+4*step)
		case i%17 == 16:
			l.incident(i, svc, r, at+3*step)
			l.resolve(i, svc, at+5*step)
		}
		at += 6 * step
	}
	return l
}

// BenchmarkCompute100k measures the metrics of 100,000 events over their
// whole 90 days (the store's read is measured by bench/dora).
func BenchmarkCompute100k(b *testing.B) {
	l := syntheticLog(100_000)
	q := Query{From: t0, To: hr(24 * 91)}
	var r Report
	for b.Loop() {
		r = Compute(l.evs, q)
	}
	b.ReportMetric(float64(r.Total.Changes), "changes")
}
