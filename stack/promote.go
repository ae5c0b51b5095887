package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// Promote moves a rollout waiting for a person forward. A canary in
// flight ends its current step (a pause, an analysis), or every
// remaining step when full; a parallel run is judged now (a pass is
// promoted; too few requests compared so far goes on); a blue/green
// rollout switches all traffic to its target once it is ready. It is an edit to desired state; the
// rollout controller acts on it.
func Promote(tx store.Tx, service string, full bool, now time.Time) error {
	svc, err := tx.GetService(service)
	if errors.Is(err, store.ErrNotFound) {
		return store.NotFoundf("service %q does not exist", service)
	}
	if err != nil {
		return err
	}
	if svc.ParallelRun.InFlight(svc.Revision) && svc.Phase == store.PhaseProgressing {
		if svc.ParallelRun.Started.IsZero() {
			return store.Conflictf("service %s has nothing to promote yet: its parallel run waits for revision %d's instances", service, svc.Revision)
		}
		svc.ParallelRun.Promote = true
		return putWithEvent(tx, svc, now, store.EventPromoteRequested,
			fmt.Sprintf("%s: the parallel run of revision %d is judged now rather than at its end", service, svc.Revision))
	}
	if svc.Canary.InFlight(svc.Revision) && svc.Phase == store.PhaseProgressing {
		msg := promoteCanary(&svc, svc.Canary, full, now)
		return putWithEvent(tx, svc, now, store.EventPromoteRequested, msg)
	}
	if c := svc.Canary; c != nil && (c.Revision == svc.Revision || c.Outcome == store.CanaryRolledBack && c.Stable == svc.Revision) {
		return store.Conflictf("service %s has nothing to promote: %s", service, noCanary(svc))
	}
	t := svc.Traffic
	waiting := svc.Phase == store.PhaseProgressing && t.Active != 0 && t.Active != svc.Revision
	if !waiting {
		return store.Conflictf("service %s has nothing to promote: %s", service, notWaiting(svc))
	}
	if svc.Promote {
		return nil // asked already
	}
	svc.Promote = true
	return putWithEvent(tx, svc, now, store.EventPromoteRequested,
		fmt.Sprintf("%s: promotion of revision %d requested (revision %d takes the traffic until it is ready)", service, svc.Revision, t.Active))
}

// putWithEvent stores an edited service with the event that says why.
func putWithEvent(tx store.Tx, svc store.Service, now time.Time, typ store.EventType, msg string) error {
	svc.UpdatedAt = now
	if err := tx.PutService(svc); err != nil {
		return err
	}
	_, err := tx.AppendEvent(store.Event{Time: now, Type: typ, Service: svc.Name, Revision: svc.Revision, Operation: svc.Operation, Message: msg})
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
