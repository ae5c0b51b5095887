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

// nextDeadline is a rolling or blue/green rollout's deadline after the
// progress its plan shows: progressDeadline after the newest target
// instance became available, when that is later than the deadline the
// record holds. The deadline thus bounds the time without progress, as
// a Deployment's progressDeadlineSeconds does, not the whole rollout:
// twenty instances that each take a minute to start are no failure under
// a deadline of two minutes, one that never gets ready is. A record
// without a deadline (none running, or waiting for promotion) keeps none.
func nextDeadline(svc store.Service, p workload.Plan, progressDeadline time.Duration) time.Time {
	if svc.Deadline.IsZero() || p.Progressed.IsZero() {
		return svc.Deadline
	}
	if moved := p.Progressed.Add(progressDeadline); moved.After(svc.Deadline) {
		return moved
	}
	return svc.Deadline
}

// progress describes a rollout in flight: "2/3 ready of revision 4".
func progress(svc store.Service, p workload.Plan, replicas int) string {
	return fmt.Sprintf("%d/%d ready of revision %d", p.Available, replicas, svc.Revision)
}
