package rollout

import (
	"math/rand/v2"
	"testing"
)

func TestDbgSeq(t *testing.T) {
	h := startSeqCanary(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 100 {
		serve(h, rng, 50, 0)
		tick(h)
		if i%10 == 0 {
			svc := h.service("order")
			sa := svc.Canary.StepAnalysis
			if sa != nil {
				ms := sa.Metrics[0].Measurements
				t.Logf("%d step=%d run phase %s nextAt %s, %d ms; seq runs %d", i, svc.Canary.Step, sa.Phase, sa.NextAt, len(ms), len(h.ctl.seq.runs))
				for k, r := range h.ctl.seq.runs {
					t.Logf("  %+v: %s %s", k, r.metrics[0].last.Verdict, r.metrics[0].last.Reason)
				}
			}
		}
	}
}
