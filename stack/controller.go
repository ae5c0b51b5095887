package stack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Controller moves operations forward. Reconcile must not run for the
// same operation from two goroutines at once (the queue guarantees it).
type Controller struct {
	store store.Store
	clock clock.Clock
	// enqueue asks for a pass over a key (a service's).
	enqueue func(key queue.Key, after time.Duration)
	// ended, when set, hears of every operation that ended.
	ended func(store.Operation)
	// secret draws a blue/green preview's secret (randomSecret).
	secret func() (string, error)
}

// NewController returns an operation controller.
func NewController(s store.Store, c clock.Clock, enqueue func(queue.Key, time.Duration)) *Controller {
	return &Controller{store: s, clock: c, enqueue: enqueue, secret: randomSecret}
}

// OnEnded makes the controller call fn with each operation it ends
// (after the commit): a promotion follows its deploy operation so.
// Call it before the first Reconcile.
func (c *Controller) OnEnded(fn func(store.Operation)) { c.ended = fn }

// Reconcile takes the next steps of one operation.
func (c *Controller) Reconcile(ctx context.Context, id int64) (time.Duration, error) {
	var touched []string
	var ended *store.Operation
	err := c.store.Update(ctx, func(tx store.Tx) error {
		ended = nil
		op, err := tx.GetOperation(id)
		if err != nil || op.State.Terminal() {
			return err
		}
		s := step{tx: tx, op: &op, now: c.clock.Now(), secret: c.secret}
		before := store.Copy(op)
		switch op.State {
		case store.OperationRunning:
			err = s.advance()
		case store.OperationRollingBack:
			err = s.revert()
		}
		if err != nil {
			return err
		}
		touched = s.touched
		if store.Same(before, op) {
			return nil
		}
		op.UpdatedAt = s.now
		if op.State.Terminal() {
			ended = &op
		}
		return tx.PutOperation(op)
	})
	if err != nil {
		return time.Second, fmt.Errorf("operation %d: %w", id, err)
	}
	if ended != nil && c.ended != nil {
		c.ended(*ended)
	}
	for _, name := range touched {
		c.enqueue(queue.ServiceKey(name), 0)
	}
	return 0, nil
}

// step is one pass over an operation inside a transaction.
type step struct {
	tx      store.Tx
	op      *store.Operation
	now     time.Time
	secret  func() (string, error)
	touched []string
}

// advance starts ready changes, marks converged ones done, and ends the
// operation when all are done or one failed.
func (s *step) advance() error {
	for i := range s.op.Changes {
		ch := &s.op.Changes[i]
		if !ch.Started && s.depsDone(ch) {
			if err := s.start(ch, ch.To, store.EventRolloutStarted); err != nil {
				return err
			}
			ch.Started = true
		}
		if !ch.Started || ch.Done {
			continue
		}
		done, failure, err := s.outcome(ch.Service, ch.To)
		if err != nil {
			return err
		}
		if failure != nil {
			return s.failed(failure)
		}
		ch.Done = done
	}
	if s.allDone(func(ch store.Change) bool { return ch.Done }) {
		s.op.State, s.op.Message = store.OperationSucceeded, "every change converged"
		return s.event(store.EventOperationSucceeded, "", fmt.Sprintf("operation %d succeeded", s.op.ID))
	}
	return nil
}

func (s *step) depsDone(ch *store.Change) bool {
	for _, d := range ch.DependsOn {
		for _, other := range s.op.Changes {
			if other.Service == d && !other.Done {
				return false
			}
		}
	}
	return true
}

// start points a service at revision to (0 = remove it). A rollback
// (or the revert of a failed apply) takes the traffic as soon as it is
// ready: under blue/green that is a traffic switch to the kept revision.
func (s *step) start(ch *store.Change, to int, typ store.EventType) error {
	svc, err := s.tx.GetService(ch.Service)
	if errors.Is(err, store.ErrNotFound) {
		svc, err = store.Service{Name: ch.Service}, nil
	}
	if err != nil {
		return err
	}
	from := svc.Revision
	svc.Phase, svc.Message, svc.Failure, svc.Operation, svc.UpdatedAt = store.PhaseProgressing, "", nil, s.op.ID, s.now
	svc.Removed = to == 0
	msg := fmt.Sprintf("%s: removing", ch.Service)
	if to != 0 {
		rev, err := s.tx.GetRevision(ch.Service, to)
		if err != nil {
			return err
		}
		svc.Revision, svc.Deadline = to, s.now.Add(deadline(rev.Spec))
		svc.Promote = s.op.Kind == store.KindRollback || typ == store.EventRollbackStarted
		secret, err := s.secret()
		if err != nil {
			return fmt.Errorf("preview secret of %s: %w", ch.Service, err)
		}
		route(&svc, rev.Spec, from, s.now, secret)
		msg = fmt.Sprintf("%s: revision %d -> %d", ch.Service, from, to)
	}
	if err := s.tx.PutService(svc); err != nil {
		return err
	}
	s.touched = append(s.touched, ch.Service)
	return s.event(typ, ch.Service, msg)
}

// route sets who takes the traffic while svc moves to its new target.
// Rolling: every ready instance, old and new. Blue/green: the revision
// taking traffic now keeps it, kept running beside the target, which is
// reachable with the preview header carrying secret until it is
// promoted.
func route(svc *store.Service, sp spec.Service, from int, now time.Time, secret string) {
	if progressiveRoute(svc, sp, from, now) {
		return
	}
	bg := sp.Strategy.BlueGreen
	if bg == nil {
		svc.Traffic, svc.Keep, svc.KeepUntil = store.Traffic{}, 0, time.Time{}
		return
	}
	active := svc.Traffic.Active
	if active == 0 {
		active = svc.Stable
	}
	if active == 0 || active == svc.Revision {
		svc.Traffic, svc.Keep, svc.KeepUntil = store.Traffic{Active: svc.Revision}, 0, time.Time{}
		return
	}
	svc.Traffic = store.Traffic{Active: active, Preview: svc.Revision, PreviewHeader: bg.PreviewHeader, PreviewSecret: secret}
	svc.Keep, svc.KeepUntil = active, time.Time{}
}

func deadline(sp spec.Service) time.Duration { return sp.ProgressDeadline() }

// outcome reports whether a service converged to revision to, or failed.
func (s *step) outcome(service string, to int) (bool, *store.Failure, error) {
	svc, err := s.tx.GetService(service)
	if errors.Is(err, store.ErrNotFound) {
		return to == 0, nil, nil
	}
	if err != nil || to == 0 {
		return false, nil, err
	}
	switch {
	case svc.Revision != to:
		return false, &store.Failure{Service: service, Reason: fmt.Sprintf("target changed to revision %d by someone else", svc.Revision)}, nil
	case svc.Phase == store.PhaseFailed:
		f := svc.Failure
		if f == nil {
			f = &store.Failure{Service: service, Reason: svc.Message}
		}
		return false, f, nil
	}
	return svc.Phase == store.PhaseReady, nil, nil
}

// failed ends a rollback as Failed, or turns an apply into a rollback of
// everything it started.
func (s *step) failed(f *store.Failure) error {
	s.op.Failure = f
	if s.op.Kind == store.KindRollback {
		s.op.State, s.op.Message = store.OperationFailed, "rollback failed: "+f.Reason
		return s.event(store.EventOperationFailed, f.Service, fmt.Sprintf("operation %d failed: %s: %s", s.op.ID, f.Service, f.Reason))
	}
	s.op.State, s.op.Message = store.OperationRollingBack, fmt.Sprintf("%s failed: %s", f.Service, f.Reason)
	if err := s.event(store.EventOperationRollingBack, f.Service, fmt.Sprintf("operation %d rolling back: %s failed: %s", s.op.ID, f.Service, f.Reason)); err != nil {
		return err
	}
	return s.revert()
}

// revert points every started change back at its previous revision, then
// ends the operation once they converged.
func (s *step) revert() error {
	for i := range s.op.Changes {
		ch := &s.op.Changes[i]
		if !ch.Started || ch.Reverted {
			continue
		}
		if ch.To != 0 {
			reason := fmt.Sprintf("operation %d rolled back: %s", s.op.ID, s.op.Message)
			if err := s.tx.SetRevisionState(ch.Service, ch.To, store.RevisionRolledBack, reason); err != nil {
				return err
			}
		}
		if err := s.start(ch, ch.From, store.EventRollbackStarted); err != nil {
			return err
		}
		ch.Reverted, ch.Done = true, false
	}
	return s.finishRevert()
}

func (s *step) finishRevert() error {
	for i := range s.op.Changes {
		ch := &s.op.Changes[i]
		if !ch.Reverted || ch.Done {
			continue
		}
		done, failure, err := s.outcome(ch.Service, ch.From)
		if err != nil {
			return err
		}
		if failure != nil {
			s.op.Message += fmt.Sprintf("; %s did not converge back to revision %d either: %s", ch.Service, ch.From, failure.Reason)
			done = true
		}
		ch.Done = done
	}
	if !s.allDone(func(ch store.Change) bool { return !ch.Reverted || ch.Done }) {
		return nil
	}
	s.op.State = store.OperationRolledBack
	return s.event(store.EventOperationRolledBack, "", fmt.Sprintf("operation %d rolled back: %s", s.op.ID, s.op.Message))
}

func (s *step) allDone(done func(store.Change) bool) bool {
	for _, ch := range s.op.Changes {
		if !done(ch) {
			return false
		}
	}
	return true
}

func (s *step) event(typ store.EventType, service, msg string) error {
	_, err := s.tx.AppendEvent(store.Event{Time: s.now, Type: typ, Service: service, Operation: s.op.ID, Message: msg})
	return err
}
