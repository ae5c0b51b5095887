package rollout

import (
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/store"
)

// releaseObs is what a pass saw of the revision a config delivery goes
// with (store.ConfigDelivery.Revision).
type releaseObs struct {
	service string
	// gone: the revision (or its service) no longer exists.
	gone   bool
	state  store.RevisionState
	reason string
}

func readRelease(tx store.Tx, service string, n int) (releaseObs, error) {
	o := releaseObs{service: service}
	rev, err := tx.GetRevision(service, n)
	switch {
	case errors.Is(err, store.ErrNotFound):
		o.gone = true
		return o, nil
	case err != nil:
		return o, err
	}
	o.state, o.reason = rev.State, rev.Reason
	return o, nil
}

// decideRelease is the pure step of a delivery that goes with a
// revision: the candidate's instances have the new version from their
// start and the others keep the previous one (Desired) while the
// revision is in release; the delivery succeeds when the revision turns
// stable (promoted: every instance gets the version) and rolls back,
// with the revision's reason, when it is rolled back. No step, bake or
// acknowledgement deadline of its own: the revision's rollout, its
// readiness and its analysis, is the judge.
func decideRelease(d store.ConfigDelivery, o releaseObs, now time.Time) (store.ConfigDelivery, store.EventType) {
	if d.Phase.Terminal() {
		return d, ""
	}
	rev := fmt.Sprintf("revision %d of %s", d.Revision, o.service)
	switch {
	case o.gone:
		d.Phase, d.Reason = store.DeliveryRolledBack, rev+" is gone: back to "+config.Version(d.Previous)
	case o.state == store.RevisionStable || o.state == store.RevisionSuperseded:
		d.Phase, d.Reason = store.DeliverySucceeded, rev+" promoted: every instance reads "+config.Version(d.Version)
	case o.state == store.RevisionRolledBack:
		d.Phase, d.Reason = store.DeliveryRolledBack, fmt.Sprintf("%s rolled back: %s: back to %s", rev, o.reason, config.Version(d.Previous))
	default:
		return d, ""
	}
	d.Ended = now
	if d.Phase == store.DeliverySucceeded {
		return d, store.EventConfigDeliverySucceeded
	}
	return d, store.EventConfigDeliveryRolledBack
}
