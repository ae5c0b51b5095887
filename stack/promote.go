package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// Promote asks that a service's ready target take all traffic now (a
// blue/green rollout waiting for promotion). It is an edit to desired
// state; the rollout controller switches the traffic.
func Promote(tx store.Tx, service string, now time.Time) error {
	svc, err := tx.GetService(service)
	if errors.Is(err, store.ErrNotFound) {
		return store.NotFoundf("service %q does not exist", service)
	}
	if err != nil {
		return err
	}
	t := svc.Traffic
	waiting := svc.Phase == store.PhaseProgressing && t.Active != 0 && t.Active != svc.Revision
	if !waiting {
		return store.Conflictf("service %s has nothing to promote: %s", service, notWaiting(svc))
	}
	if svc.Promote {
		return nil // asked already
	}
	svc.Promote, svc.UpdatedAt = true, now
	if err := tx.PutService(svc); err != nil {
		return err
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: "rollout.promote.requested", Service: service, Revision: svc.Revision, Operation: svc.Operation,
		Message: fmt.Sprintf("%s: promotion of revision %d requested (revision %d takes the traffic until it is ready)", service, svc.Revision, t.Active)})
	return err
}

func notWaiting(svc store.Service) string {
	switch {
	case svc.Phase == store.PhaseFailed:
		return fmt.Sprintf("its rollout of revision %d failed (%s)", svc.Revision, svc.Message)
	case svc.Phase == store.PhaseReady:
		return fmt.Sprintf("revision %d already takes all traffic", svc.Revision)
	}
	return fmt.Sprintf("its rollout of revision %d is not a blue/green rollout waiting for promotion", svc.Revision)
}
