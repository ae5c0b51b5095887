package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// Rollback records an operation that makes an earlier revision of a
// service its target again. to 0 picks the stable revision when a rollout
// is in flight or failed, else the last revision that was stable before
// it. No rebuild: the revision's spec and artifact are as they were.
func Rollback(tx store.Tx, service string, to int, reason string, now time.Time) (*store.Operation, error) {
	svc, err := tx.GetService(service)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.NotFoundf("service %q does not exist", service)
	}
	if err != nil {
		return nil, err
	}
	if svc.Removed {
		return nil, store.Conflictf("service %s is being removed", service)
	}
	if err := refuseIfBusy(tx); err != nil {
		return nil, err
	}
	to, err = rollbackTarget(tx, svc, to)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		reason = "requested by user"
	}
	op, err := tx.CreateOperation(store.Operation{Kind: store.KindRollback, State: store.OperationRunning, Message: reason,
		Changes: []store.Change{{Service: service, From: svc.Revision, To: to}}, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return nil, err
	}
	err = started(tx, &op, store.Event{Time: now, Type: store.EventRollbackRequested, Service: service, Revision: to, Operation: op.ID,
		Message: fmt.Sprintf("rollback of %s from revision %d to %d (operation %d): %s", service, svc.Revision, to, op.ID, reason)})
	return &op, err
}

func rollbackTarget(tx store.Tx, svc store.Service, to int) (int, error) {
	revs, err := tx.ListRevisions(svc.Name)
	if err != nil {
		return 0, err
	}
	if to == 0 {
		to = previous(svc, revs)
		if to == 0 {
			return 0, store.Conflictf("service %s has no earlier revision to roll back to", svc.Name)
		}
	}
	if to == svc.Revision {
		return 0, store.Conflictf("service %s is already at revision %d", svc.Name, to)
	}
	if to < 1 || to > len(revs) {
		return 0, store.NotFoundf("service %s has no revision %d (revisions 1 to %d)", svc.Name, to, len(revs))
	}
	return to, nil
}

// previous is the revision a bare rollback returns to.
func previous(svc store.Service, revs []store.Revision) int {
	if svc.Stable != 0 && svc.Stable != svc.Revision {
		return svc.Stable
	}
	for i := len(revs) - 1; i >= 0; i-- {
		r := revs[i]
		if r.Number < svc.Revision && r.State == store.RevisionSuperseded {
			return r.Number
		}
	}
	return 0
}
