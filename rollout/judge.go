package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/health"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// errStale means the service changed since the pass read it; the change
// queued another pass, which will judge the new state.
var errStale = errors.New("service changed during the pass")

// judge records what Assess concludes, and keeps the progress message.
// It reports whether it changed the service (the pass then looks again).
func (c *Controller) judge(ctx context.Context, s snapshot, p workload.Plan, replicas int, now time.Time) (bool, time.Duration, error) {
	if !s.found {
		return false, 0, nil
	}
	if pr := s.svc.ParallelRun; pr != nil && !pr.InFlight(s.svc.Revision) && c.cfg.Mirrors != nil {
		c.cfg.Mirrors.Close(s.svc.Name, pr.Revision) // ended by an apply or a revert: its counts go
	}
	if sc, err := c.canary(ctx, s.svc); err != nil || (sc != nil && s.svc.Phase == store.PhaseProgressing) {
		if err != nil {
			return false, 0, err
		}
		wrote, again, err := c.judgeCanary(ctx, s, sc, p, now)
		if errors.Is(err, errStale) {
			return true, 0, nil
		}
		return wrote && err == nil, again, err
	}
	if pr, err := c.parallelRun(ctx, s.svc); err != nil || (pr != nil && s.svc.Phase == store.PhaseProgressing) {
		if err != nil {
			return false, 0, err
		}
		wrote, again, err := c.judgeParallelRun(ctx, s, pr, p, now)
		if errors.Is(err, errStale) {
			return true, 0, nil
		}
		return wrote && err == nil, again, err
	}
	wrote, err := c.judgeRollout(ctx, s, p, replicas, now)
	return wrote, 0, err
}

// judgeRollout is judge for a rolling or blue/green rollout.
func (c *Controller) judgeRollout(ctx context.Context, s snapshot, p workload.Plan, replicas int, now time.Time) (bool, error) {
	bg, err := c.blueGreen(ctx, s.svc)
	if err != nil {
		return false, err
	}
	verdict := Assess(s.svc, p, now, bg != nil && bg.AutoPromote)
	wrote := verdict != Continue
	switch verdict {
	case Succeeded:
		err = c.succeed(ctx, s.svc, now)
	case Promote:
		err = c.promote(ctx, s.svc, bg, now)
	case AwaitPromotion:
		wrote, err = c.awaitPromotion(ctx, s.svc, bg)
	case Failed:
		err = c.fail(ctx, s.svc, now)
	default:
		var deadline time.Time
		if deadline, err = c.movedDeadline(ctx, s.svc, p); err == nil {
			wrote, err = c.keepGoing(ctx, s.svc, progress(s.svc, p, replicas), deadline, now)
		}
	}
	if errors.Is(err, errStale) {
		return true, nil
	}
	return wrote && err == nil, err
}

// movedDeadline is nextDeadline under the target revision's
// progressDeadline.
func (c *Controller) movedDeadline(ctx context.Context, svc store.Service, p workload.Plan) (time.Time, error) {
	if svc.Phase != store.PhaseProgressing || svc.Deadline.IsZero() || p.Progressed.IsZero() {
		return svc.Deadline, nil
	}
	rev, err := c.revision(ctx, svc.Name, svc.Revision)
	if err != nil {
		return time.Time{}, err
	}
	return nextDeadline(svc, p, rev.Spec.ProgressDeadline()), nil
}

// keepGoing updates the progress message and deadline of a rollout in
// flight, and forgets a kept revision once its scale-down time has
// passed.
func (c *Controller) keepGoing(ctx context.Context, seen store.Service, msg string, deadline, now time.Time) (bool, error) {
	progressing := seen.Phase == store.PhaseProgressing && (msg != seen.Message || !deadline.Equal(seen.Deadline))
	scaledDown := seen.Keep != 0 && !seen.KeepUntil.IsZero() && !now.Before(seen.KeepUntil)
	if !progressing && !scaledDown {
		return false, nil
	}
	return true, c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		if progressing {
			svc.Message, svc.Deadline = msg, deadline
		}
		if !scaledDown {
			return nil
		}
		kept := svc.Keep
		svc.Keep, svc.KeepUntil = 0, time.Time{}
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventServiceScaledDown, Service: svc.Name, Revision: kept,
			Message: fmt.Sprintf("%s: revision %d scaled down after its scale-down delay", svc.Name, kept)})
		return err
	})
}

// updateService re-reads the service in a transaction and applies fn
// only if it is still the version the pass saw: a pass writes the
// record whole from what it read, and a verb stored meanwhile (an abort,
// a pause, a promote, while a slow provider measured) would otherwise be
// overwritten and lost.
func (c *Controller) updateService(ctx context.Context, seen store.Service, fn func(tx store.Tx, svc *store.Service) error) error {
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		svc, err := tx.GetService(seen.Name)
		if err != nil {
			return err
		}
		if svc.StoreVersion != seen.StoreVersion {
			return errStale
		}
		svc.UpdatedAt = c.cfg.Clock.Now()
		if err := fn(tx, &svc); err != nil {
			return err
		}
		return tx.PutService(svc)
	})
}

func (c *Controller) succeed(ctx context.Context, seen store.Service, now time.Time) error {
	err := c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		prev := svc.Stable
		svc.Phase, svc.Stable, svc.Message, svc.Deadline, svc.Failure = store.PhaseReady, svc.Revision, "", time.Time{}, nil
		svc.Traffic.Preview, svc.Traffic.PreviewHeader, svc.Traffic.PreviewSecret, svc.Promote = 0, "", "", false
		if err := tx.SetRevisionState(svc.Name, svc.Revision, store.RevisionStable, ""); err != nil {
			return err
		}
		if prev != 0 && prev != svc.Revision {
			if err := supersede(tx, svc.Name, prev, svc.Revision); err != nil {
				return err
			}
		}
		data, err := runningArtifact(tx, svc.Name, svc.Revision)
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventRolloutSucceeded, Service: svc.Name, Revision: svc.Revision,
			Operation: svc.Operation, Message: fmt.Sprintf("%s is running revision %d", svc.Name, svc.Revision), Data: data})
		return err
	})
	if err == nil && seen.Operation != 0 {
		c.cfg.Enqueue(queue.OperationKey(seen.Operation), 0)
	}
	return err
}

// runningArtifact is the data of an EventRolloutSucceeded event: the
// artifact now running (store.RolloutSucceededData), none without one.
// The DORA metrics (package dora) read a deployment's commit from it.
func runningArtifact(tx store.Tx, service string, n int) (json.RawMessage, error) {
	r, err := tx.GetRevision(service, n)
	if err != nil || r.Spec.Artifact == nil {
		return nil, err
	}
	return json.Marshal(store.RolloutSucceededData{Artifact: r.Spec.Artifact})
}

func supersede(tx store.Tx, service string, prev, by int) error {
	r, err := tx.GetRevision(service, prev)
	if err != nil || r.State != store.RevisionStable {
		return err
	}
	return tx.SetRevisionState(service, prev, store.RevisionSuperseded, fmt.Sprintf("replaced by revision %d", by))
}

func (c *Controller) fail(ctx context.Context, seen store.Service, now time.Time) error {
	f, err := c.failure(ctx, seen)
	if err != nil {
		return err
	}
	err = c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.Phase, svc.Message, svc.Failure = store.PhaseFailed, f.Reason, &f
		data, _ := json.Marshal(f)
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventRolloutFailed, Service: svc.Name, Revision: svc.Revision,
			Instance: f.Instance, Operation: svc.Operation, Message: fmt.Sprintf("%s revision %d failed: %s", svc.Name, svc.Revision, f.Reason), Data: data})
		return err
	})
	if err == nil && seen.Operation != 0 {
		c.cfg.Enqueue(queue.OperationKey(seen.Operation), 0)
	}
	return err
}

// failure explains a missed deadline by the worst instance of the target
// revision: its state, its last check result and its last log lines.
func (c *Controller) failure(ctx context.Context, svc store.Service) (store.Failure, error) {
	var recs []store.Instance
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		recs, err = tx.ListInstances(svc.Name)
		return err
	})
	if err != nil {
		return store.Failure{}, err
	}
	worst, ok := worstInstance(recs, svc.Revision)
	f := store.Failure{Service: svc.Name, Reason: fmt.Sprintf("revision %d did not become ready before its progress deadline", svc.Revision)}
	if !ok {
		return f, nil
	}
	f.Instance = worst.ID
	f.Reason = fmt.Sprintf("instance %s not ready before the progress deadline: %s", worst.ID, c.why(worst))
	if lines, err := c.cfg.Driver.Logs(ctx, worst.ID, 10); err == nil {
		f.Logs = lines
	}
	return f, nil
}

func (c *Controller) why(in store.Instance) string {
	switch {
	case in.State == store.InstanceBackoff:
		return fmt.Sprintf("%s (restarted %d times)", in.LastExit, in.Restarts)
	case c.monitor.Summary(in.ID, health.Readiness) != "":
		return "readiness " + c.monitor.Summary(in.ID, health.Readiness)
	case in.Message != "":
		return in.Message
	}
	return string(in.State)
}

// worstInstance picks the target-revision instance that best explains a
// failure: crashed ones first, then unready ones.
func worstInstance(recs []store.Instance, rev int) (store.Instance, bool) {
	var best store.Instance
	score := -1
	for _, in := range recs {
		if in.Revision != rev || in.State == store.InstanceStopping {
			continue
		}
		s := 0
		switch {
		case in.State == store.InstanceBackoff:
			s = 3 + in.Crashes
		case !in.Ready:
			s = 2
		}
		if s > score {
			best, score = in, s
		}
	}
	return best, score >= 0
}
