package rollout

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// Verdict is what a pass concludes about a service's rollout.
type Verdict int

// Verdicts.
const (
	// Continue: nothing to record, the rollout goes on (or is done).
	Continue Verdict = iota
	// Succeeded: the target revision converged; it becomes stable.
	Succeeded
	// Failed: the progress deadline passed before convergence.
	Failed
	// Promote: the target is ready and may take the traffic (blue/green
	// with autoPromote, or promotion asked for); it then becomes stable.
	Promote
	// AwaitPromotion: the target is ready beside the active revision and
	// waits for `slipway rollout promote`.
	AwaitPromotion
)

func (v Verdict) String() string {
	switch v {
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Promote:
		return "promote"
	case AwaitPromotion:
		return "await promotion"
	}
	return "continue"
}

// Assess judges a service's rollout from its plan. It is pure.
// autoPromote is the blue/green setting of the target revision.
func Assess(svc store.Service, p workload.Plan, now time.Time, autoPromote bool) Verdict {
	if svc.Phase != store.PhaseProgressing || svc.Removed {
		return Continue
	}
	if p.Converged {
		switch a := svc.Traffic.Active; {
		case a == 0 || a == svc.Revision:
			return Succeeded
		case autoPromote || svc.Promote:
			return Promote
		}
		return AwaitPromotion
	}
	if !svc.Deadline.IsZero() && !now.Before(svc.Deadline) {
		return Failed
	}
	return Continue
}

// progress describes a rollout in flight: "2/3 ready of revision 4".
func progress(svc store.Service, p workload.Plan, replicas int) string {
	return fmt.Sprintf("%d/%d ready of revision %d", p.Available, replicas, svc.Revision)
}
