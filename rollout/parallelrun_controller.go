package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// Mirrors counts the compared requests of parallel runs (mirror.Book,
// which the router reports every mirrored request to).
type Mirrors interface {
	// Open starts counting a run afresh.
	Open(service string, revision int, o mirror.Options) error
	// Report returns a run's counts; ok is false when it is not open.
	Report(service string, revision int) (r mirror.Report, ok bool)
	// Close stops counting a run.
	Close(service string, revision int)
}

// parallelRun returns the target revision's parallel-run strategy when
// a parallel run is in flight for it, else nil.
func (c *Controller) parallelRun(ctx context.Context, svc store.Service) (*spec.ParallelRun, error) {
	if svc.Removed || !svc.ParallelRun.InFlight(svc.Revision) {
		return nil, nil
	}
	rev, err := c.revision(ctx, svc.Name, svc.Revision)
	if err != nil {
		return nil, err
	}
	return rev.Spec.Strategy.ParallelRun, nil
}

// parallelDesired shapes the planner's input for a parallel run: the
// whole candidate starts at once beside the stable, which keeps every
// instance and all user traffic.
func parallelDesired(d *workload.Desired, p *store.ParallelRun) {
	d.MaxSurge = max(d.Replicas, 1)
	d.Keep, d.Active = p.Stable, p.Stable
}

// judgeParallelRun takes a parallel run one step and records it.
func (c *Controller) judgeParallelRun(ctx context.Context, s snapshot, pr *spec.ParallelRun, p workload.Plan, now time.Time) (bool, time.Duration, error) {
	seen := s.svc
	run := *seen.ParallelRun // seen stays as read: updateService checks it
	var rep mirror.Report
	counting := false
	if c.cfg.Mirrors != nil {
		rep, counting = c.cfg.Mirrors.Report(seen.Name, seen.Revision)
	} else {
		run.Abort = "this server does not mirror requests (no mirror book configured)"
	}
	pass := DecideParallel(run, pr, p.Converged, rep, counting, now)
	switch pass.Decision {
	case ParallelStart:
		if err := c.cfg.Mirrors.Open(seen.Name, seen.Revision, pr.Compare.Options()); err != nil {
			return false, 0, fmt.Errorf("open the comparison of %s revision %d: %w", seen.Name, seen.Revision, err)
		}
	case ParallelRollBack, ParallelPromote:
		// Close once the end is stored: a stale pass leaves the counts
		// for the next one to judge again.
		err := c.endParallelRun(ctx, seen, pass, pr, now)
		if err == nil && c.cfg.Mirrors != nil {
			c.cfg.Mirrors.Close(seen.Name, seen.Revision)
		}
		return true, 0, err
	}
	return c.recordParallelRun(ctx, seen, pass, pr, now)
}

// recordParallelRun stores a run still going when it changed: its
// traffic, its latest report, an event.
func (c *Controller) recordParallelRun(ctx context.Context, seen store.Service, pass ParallelPass, pr *spec.ParallelRun, now time.Time) (bool, time.Duration, error) {
	next := pass.Next
	msg := parallelMessage(&next)
	traffic := seen.Traffic
	if !next.Started.IsZero() {
		traffic = store.Traffic{Active: next.Stable, Mirror: next.Revision, MirrorPercent: pr.Percent(), MirrorUnsafe: pr.Unsafe}
	}
	record := func(svc *store.Service) {
		svc.ParallelRun, svc.Message, svc.Traffic = &next, msg, traffic
		if !next.Started.IsZero() {
			svc.Deadline = time.Time{} // the run's own duration bounds it now
		}
	}
	want := seen
	record(&want)
	if pass.Event == "" && store.Same(seen, want) {
		return false, pass.Requeue, nil
	}
	err := c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		record(svc)
		if pass.Event == "" {
			return nil
		}
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventParallelRunStep, Service: svc.Name, Revision: svc.Revision,
			Operation: svc.Operation, Message: svc.Name + ": " + pass.Event})
		return err
	})
	return true, pass.Requeue, err
}

// parallelMessage is the service's one-line status during a run.
func parallelMessage(p *store.ParallelRun) string {
	switch {
	case p.Started.IsZero():
		return fmt.Sprintf("parallel run of revision %d: waiting for its instances", p.Revision)
	case p.Report == nil:
		return fmt.Sprintf("parallel run of revision %d: mirroring until %s", p.Revision, p.Ends.Format(time.TimeOnly))
	}
	return fmt.Sprintf("parallel run of revision %d: %s; judged at %s", p.Revision, p.Verdict.Reason, p.Ends.Format(time.TimeOnly))
}

// endParallelRun promotes or rejects the candidate, storing the run's
// final report with the reason.
func (c *Controller) endParallelRun(ctx context.Context, seen store.Service, pass ParallelPass, pr *spec.ParallelRun, now time.Time) error {
	next := pass.Next
	next.Reason, next.Ended = pass.Reason, now
	if pass.Decision == ParallelRollBack {
		next.Outcome = store.CanaryRolledBack
		r := rejection{candidate: next.Revision, stable: next.Stable, what: "parallel run of", reason: pass.Reason,
			typ: store.EventParallelRunRolledBack, record: next}
		return c.reject(ctx, seen, r, now, func(svc *store.Service) { svc.ParallelRun = &next })
	}
	next.Outcome = store.CanaryPromoted
	return c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.ParallelRun = &next
		return takeAllTraffic(tx, svc, promotion{candidate: next.Revision, what: "parallel run of", reason: pass.Reason,
			typ: store.EventParallelRunPromoted, record: next}, now.Add(pr.ProgressDeadline.Duration), now)
	})
}
