package rollout

import (
	"context"
	"fmt"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// platformScaled returns the revisions of a service whose instance count
// the platform's own autoscaler sets (a Kubernetes environment: a
// HorizontalPodAutoscaler per revision, see kube.HPA), each with the
// least count it may set (0: its spec's min). Slipway's autoscaler
// measures Slipway's router, which is not in such an environment's path,
// so there the platform scales, on CPU, and the controller hands it a
// revision only at rest:
//   - the target revision once no rollout is in flight (no canary,
//     parallel run or kept revision; the phase is not Progressing). During
//     a rollout Slipway sizes it as without autoscaling: a canary's
//     candidate at its weight's share, a rolling update step by step. At
//     the end the HPA takes it over at the count it runs.
//   - during a canary, stable, which keeps its HPA with the count it runs
//     as its least: it may grow for a surge, never shrink, so a rollback
//     stays a switch of traffic.
//
// A revision that leaves this set (a new rollout begins) is taken back:
// its HPA is deleted and Slipway sizes it again. It returns the target's
// scale section too (nil: it does not autoscale, and nothing does).
func (c *Controller) platformScaled(ctx context.Context, s snapshot, d workload.Desired, obs []workload.RevisionStatus) (map[int]int, *spec.Scale, error) {
	if d.Removed {
		return nil, nil, nil
	}
	svc := s.svc
	target, err := c.revision(ctx, svc.Name, d.Revision)
	if err != nil || target.Spec.Scale == nil {
		return nil, nil, err
	}
	out := map[int]int{}
	atRest := svc.Phase != store.PhaseProgressing && d.Keep == 0 &&
		!svc.Canary.InFlight(d.Revision) && !svc.ParallelRun.InFlight(d.Revision)
	if atRest {
		out[d.Revision] = 0
	}
	if cn := svc.Canary; cn.InFlight(d.Revision) && cn.Stable != 0 {
		stable, err := c.revision(ctx, svc.Name, cn.Stable)
		if err != nil {
			return nil, nil, err
		}
		if n, ok := observed(obs, cn.Stable); ok && stable.Spec.Scale != nil {
			out[cn.Stable] = n
		}
	}
	return out, target.Spec.Scale, nil
}

// platformReplicas is the count of the target revision on a platform
// that autoscales it: at rest, what its HPA chose (within the spec's
// bounds; TargetReplicas' count while it has no Deployment yet). Else,
// as TargetReplicas on one machine, at least what it already runs and
// what the revision taking traffic runs: a deploy keeps the capacity
// the HPA had grown to, and a promoted canary keeps its full count until
// its HPA takes it over. A canary's candidate (a kept revision) is
// TargetReplicas' (its weight's share of stable's count, see
// canaryStable), not clamped to min, as on one machine.
func platformReplicas(d workload.Desired, lo, hi int, auto map[int]int, obs []workload.RevisionStatus) int {
	if _, ok := auto[d.Revision]; ok {
		if got, seen := observed(obs, d.Revision); seen {
			return clamp(got, lo, hi)
		}
		return d.Replicas
	}
	if d.Keep != 0 {
		return d.Replicas
	}
	n := d.Replicas
	for _, rev := range []int{d.Revision, d.Active} {
		if got, seen := observed(obs, rev); seen {
			n = max(n, got)
		}
	}
	return clamp(n, lo, hi)
}

func clamp(n, lo, hi int) int { return min(max(n, lo, 1), hi) }

// observed returns the replicas the platform reports for revision rev.
func observed(obs []workload.RevisionStatus, rev int) (int, bool) {
	for _, o := range obs {
		if o.Revision == rev {
			return o.Replicas, true
		}
	}
	return 0, false
}

// canaryStable stands for a canary's stable revision's instances on a
// platform (a Kubernetes Deployment's replicas, which the store has no
// record of): an autoscaled candidate is sized against what stable runs
// (canaryFull counts its live instances), as on one machine. Nothing
// else of them is read: health looks at the target revision's.
func canaryStable(svc store.Service, obs []workload.RevisionStatus) []store.Instance {
	cn := svc.Canary
	if !cn.InFlight(svc.Revision) {
		return nil
	}
	n, _ := observed(obs, cn.Stable)
	out := make([]store.Instance, n)
	for i := range out {
		out[i] = store.Instance{ID: fmt.Sprintf("%s-r%d-%d", svc.Name, cn.Stable, i), Service: svc.Name,
			Revision: cn.Stable, State: store.InstanceRunning, Ready: true}
	}
	return out
}
