package store

import "time"

// Autoscale is the instance count the autoscaler set for a service whose
// revision has a `scale:` section: desired state, like the rest of the
// service record, so a restarted server (or one started after a kill -9
// while the service was scaled to zero) runs the same count and wakes
// the service on its next request.
type Autoscale struct {
	// Revision is the revision the count is for; a new target revision
	// starts from its spec's count until the autoscaler sets one.
	Revision int `json:"revision"`
	// Replicas is the desired count; 0 is scaled to zero.
	Replicas int `json:"replicas"`
	// Reason says why, like "concurrency 38 over target 10 x 3 instances".
	Reason string `json:"reason,omitempty"`
	// ChangedAt is when Replicas last changed.
	ChangedAt time.Time `json:"changedAt"`
}

// ScaledToZero reports whether the autoscaler stopped every instance of
// revision rev because it was idle.
func (a *Autoscale) ScaledToZero(rev int) bool {
	return a != nil && a.Revision == rev && a.Replicas == 0
}

// For returns the count set for revision rev, and whether one is set.
func (a *Autoscale) For(rev int) (int, bool) {
	if a == nil || a.Revision != rev {
		return 0, false
	}
	return a.Replicas, true
}
