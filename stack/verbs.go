package stack

import (
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/store"
)

// The canary verbs below are edits to desired state: each records what a
// person asked on the service's canary, with an event, in the caller's
// transaction; the rollout controller acts on it at its next pass (and a
// restarted server sees the same request).

// Pause stops a canary's steps where they are (its analysis goes on).
func Pause(tx store.Tx, service, reason string, now time.Time) error {
	return editCanary(tx, service, now, func(svc *store.Service, c *store.Canary) (string, error) {
		if c.Paused {
			return "", nil
		}
		c.Paused, c.PauseReason = true, "paused by "+orUser(reason)
		return fmt.Sprintf("%s: canary of revision %d %s", svc.Name, c.Revision, c.PauseReason), nil
	})
}

// Resume lets a paused canary take its steps again; an analysis that
// was inconclusive measures afresh.
func Resume(tx store.Tx, service string, now time.Time) error {
	return editCanary(tx, service, now, func(svc *store.Service, c *store.Canary) (string, error) {
		if !c.Paused {
			return "", store.Conflictf("the canary of %s is not paused (step %d, %d%%)", service, c.Step+1, c.Weight)
		}
		c.Paused, c.PauseReason = false, ""
		restartInconclusive(c, now)
		return fmt.Sprintf("%s: canary of revision %d resumed", svc.Name, c.Revision), nil
	})
}

// Abort rolls a canary back (all traffic to stable at once), or ends a
// parallel run rejecting its candidate.
func Abort(tx store.Tx, service, reason string, now time.Time) error {
	if svc, err := tx.GetService(service); err == nil && svc.ParallelRun.InFlight(svc.Revision) && svc.Phase == store.PhaseProgressing {
		svc.ParallelRun.Abort = orUser(reason)
		return putWithEvent(tx, svc, now, store.EventRolloutVerb, fmt.Sprintf("%s: abort of the parallel run of revision %d requested: %s", service, svc.Revision, svc.ParallelRun.Abort))
	}
	return editCanary(tx, service, now, func(svc *store.Service, c *store.Canary) (string, error) {
		c.Abort = orUser(reason)
		return fmt.Sprintf("%s: abort of the canary of revision %d requested: %s", svc.Name, c.Revision, c.Abort), nil
	})
}

// SetWeight sets a canary's share of traffic by hand and pauses its
// steps, so that the weight holds until resumed or promoted.
func SetWeight(tx store.Tx, service string, weight int, now time.Time) error {
	if weight < 0 || weight > 100 {
		return store.Invalidf("weight must be 0..100 (a percentage of traffic), got %d", weight)
	}
	return editCanary(tx, service, now, func(svc *store.Service, c *store.Canary) (string, error) {
		if c.Full {
			return "", store.Conflictf("the canary of %s is being promoted in full: its weight can no longer change", service)
		}
		c.Weight, c.Paused = weight, true
		c.PauseReason = fmt.Sprintf("weight set to %d%% by hand; resume to go on with the steps", weight)
		return fmt.Sprintf("%s: canary of revision %d set to %d%% by hand (steps paused)", svc.Name, c.Revision, weight), nil
	})
}

// promoteCanary ends the current step (or every step, when full) of a
// canary in flight; a pause ends too.
func promoteCanary(svc *store.Service, c *store.Canary, full bool, now time.Time) string {
	c.Skip, c.Full = true, c.Full || full
	if c.Paused {
		c.Paused, c.PauseReason = false, ""
		restartInconclusive(c, now)
	}
	if full {
		return fmt.Sprintf("%s: full promotion of canary revision %d requested: every remaining step skipped", svc.Name, c.Revision)
	}
	return fmt.Sprintf("%s: canary revision %d promoted past step %d", svc.Name, c.Revision, c.Step+1)
}

func restartInconclusive(c *store.Canary, now time.Time) {
	for _, run := range []*store.AnalysisRun{c.Analysis, c.StepAnalysis} {
		if run != nil && run.Phase == analysis.PhaseInconclusive {
			run.Restart(now)
		}
	}
}

// editCanary applies fn to the service's canary in flight and records
// the event fn describes ("" changes nothing).
func editCanary(tx store.Tx, service string, now time.Time, fn func(*store.Service, *store.Canary) (string, error)) error {
	svc, err := tx.GetService(service)
	if errors.Is(err, store.ErrNotFound) {
		return store.NotFoundf("service %q does not exist", service)
	}
	if err != nil {
		return err
	}
	if !svc.Canary.InFlight(svc.Revision) || svc.Phase != store.PhaseProgressing {
		return store.Conflictf("service %s has no canary in flight: %s", service, noCanary(svc))
	}
	msg, err := fn(&svc, svc.Canary)
	if err != nil || msg == "" {
		return err
	}
	svc.UpdatedAt = now
	if err := tx.PutService(svc); err != nil {
		return err
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventRolloutVerb, Service: service, Revision: svc.Revision, Operation: svc.Operation, Message: msg})
	return err
}

// noCanary says why a service has no canary to act on.
func noCanary(svc store.Service) string {
	c := svc.Canary
	switch {
	case c != nil && c.Outcome == store.CanaryRolledBack:
		return fmt.Sprintf("its canary of revision %d was rolled back (%s); to try it again: slipway rollout retry %s", c.Revision, c.Reason, svc.Name)
	case c != nil && c.Outcome == store.CanaryPromoted:
		return fmt.Sprintf("its canary of revision %d was promoted", c.Revision)
	case svc.Phase == store.PhaseFailed:
		return fmt.Sprintf("its rollout of revision %d failed (%s)", svc.Revision, svc.Message)
	case svc.Phase == store.PhaseReady:
		return fmt.Sprintf("revision %d takes all traffic", svc.Revision)
	}
	return fmt.Sprintf("its rollout of revision %d does not use the canary strategy", svc.Revision)
}

func orUser(reason string) string {
	if reason == "" {
		return "a person"
	}
	return reason
}

// Retry starts the canary of a rolled-back revision again, from its
// first step, as an operation that is reverted if it fails like an apply.
func Retry(tx store.Tx, service string, now time.Time) (*store.Operation, error) {
	svc, err := tx.GetService(service)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.NotFoundf("service %q does not exist", service)
	}
	if err != nil {
		return nil, err
	}
	c := svc.Canary
	if c == nil || c.Outcome != store.CanaryRolledBack || svc.Revision != c.Stable {
		return nil, store.Conflictf("service %s has no rolled-back canary to retry: %s", service, noCanary(svc))
	}
	if err := refuseIfBusy(tx); err != nil {
		return nil, err
	}
	if err := tx.SetRevisionState(service, c.Revision, store.RevisionPending, ""); err != nil {
		return nil, err
	}
	op, err := tx.CreateOperation(store.Operation{Kind: store.KindApply, State: store.OperationRunning,
		Message: fmt.Sprintf("retry of the canary of %s revision %d", service, c.Revision),
		Changes: []store.Change{{Service: service, From: svc.Revision, To: c.Revision}}, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return nil, err
	}
	err = started(tx, &op, store.Event{Time: now, Type: store.EventRetryRequested, Service: service, Revision: c.Revision, Operation: op.ID,
		Message: fmt.Sprintf("retry of the canary of %s revision %d (operation %d); it was rolled back: %s", service, c.Revision, op.ID, c.Reason)})
	return &op, err
}
