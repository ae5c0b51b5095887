package rollout

import (
	"github.com/slipway-dev/slipway/store"
)

// TargetReplicas returns how many instances of the service's target
// revision rev the controller runs, and the least the autoscaler may set
// it to. A revision without a scale section runs its spec's instances.
// With one, it runs the count the autoscaler set for it (store.Autoscale);
// a revision the autoscaler has not counted yet (just deployed, or just
// rolled back to) runs what it already has live or the count last set
// for the service (another revision's: a deploy keeps the capacity),
// whichever is more, within its bounds and at least one: a new revision
// proves it can start. During a canary the candidate runs at least its
// weight's share of what stable ran when the rollout began (stable keeps
// every instance until the end), more when the autoscaler wants more for
// the traffic its share brings.
func TargetReplicas(svc store.Service, rev store.Revision, instances []store.Instance) (n, floor int) {
	sc := rev.Spec.Scale
	if sc == nil {
		return fixedReplicas(svc, rev), 0
	}
	if cn := svc.Canary; cn.InFlight(rev.Number) {
		full := canaryFull(svc, rev, instances)
		floor = full
		if !cn.Full {
			floor = CanaryReplicas(cn.Weight, full)
		}
		n, _ := svc.Autoscale.For(rev.Number)
		return max(n, floor), floor
	}
	if n, ok := svc.Autoscale.For(rev.Number); ok {
		return n, 0
	}
	n = liveCount(instances, rev.Number)
	if svc.Autoscale != nil {
		n = max(n, svc.Autoscale.Replicas)
	}
	return min(max(n, sc.Min, 1), sc.Max), 0
}

// canaryFull is the count a canary's candidate is sized against (its
// share of it, all of it at full weight): its spec's instances, or with
// autoscaling the count stable runs (as it did when the rollout began:
// a canary keeps stable's instances as they are), within the
// candidate's bounds.
func canaryFull(svc store.Service, rev store.Revision, instances []store.Instance) int {
	sc := rev.Spec.Scale
	if sc == nil || svc.Canary == nil {
		return fixedReplicas(svc, rev)
	}
	return min(max(liveCount(instances, svc.Canary.Stable), sc.Min, 1), sc.Max)
}

// fixedReplicas is the count of a service that does not autoscale: the
// spec's instances, or what slipway scale set until an apply changes them.
func fixedReplicas(svc store.Service, rev store.Revision) int {
	if svc.Scale != nil {
		return *svc.Scale
	}
	return rev.Spec.Replicas()
}

// liveCount counts a revision's instances that are not leaving.
func liveCount(instances []store.Instance, rev int) int {
	n := 0
	for _, in := range instances {
		if in.Revision == rev && !in.State.Leaving() {
			n++
		}
	}
	return n
}
