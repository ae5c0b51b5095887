package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// canary returns the target revision's canary strategy when a canary is
// in flight for it, else nil.
func (c *Controller) canary(ctx context.Context, svc store.Service) (*spec.Canary, error) {
	if svc.Removed || !svc.Canary.InFlight(svc.Revision) {
		return nil, nil
	}
	rev, err := c.revision(ctx, svc.Name, svc.Revision)
	if err != nil {
		return nil, err
	}
	return rev.Spec.Strategy.Canary, nil
}

// canaryDesired shapes the planner's input for a canary in flight: the
// stable revision keeps every instance (and takes its share of the
// traffic), the candidate runs its share of the instances. A candidate
// that autoscales got its count from TargetReplicas, share included.
func canaryDesired(d *workload.Desired, cn *store.Canary, autoscaled bool) {
	full := d.Replicas
	d.Keep, d.Active = cn.Stable, cn.Stable
	if !cn.Full && !autoscaled {
		d.Replicas = CanaryReplicas(cn.Weight, full)
	}
}

// judgeCanary measures what is due, advances the step machine, and
// records the result: the new state, the traffic it implies, events, and
// a roll back or promotion. It reports whether it wrote.
func (c *Controller) judgeCanary(ctx context.Context, s snapshot, sc *spec.Canary, p workload.Plan, now time.Time) (bool, time.Duration, error) {
	seen := s.svc
	rev, err := c.revision(ctx, seen.Name, seen.Revision)
	if err != nil {
		return false, 0, err
	}
	replicas := canaryFull(seen, rev, s.instances)
	// Advance edits nothing it is given, but measure records into the
	// canary's runs in place (Record): it gets the pass's own copy, so
	// that seen stays as read (updateService checks it, and the pass
	// compares with it to write only what changed).
	cn := seen.Canary.Clone()
	c.measure(ctx, seen, cn, sc, now)
	pass := Advance(*cn, sc, p.Available, replicas, now)
	deadline := canaryDeadline(seen, pass, p, replicas, sc, now)
	switch {
	case pass.Decision == CanaryRollBack:
		return true, 0, c.rollBackCanary(ctx, seen, pass, now)
	case pass.Decision == CanaryPromote:
		return true, 0, c.promoteCanary(ctx, seen, pass, sc.ProgressDeadline.Duration, now)
	case !deadline.IsZero() && !now.Before(deadline):
		return true, 0, c.fail(ctx, seen, now)
	}
	next := pass.Next
	msg := canaryMessage(&next, sc, p.Available, replicas, c.splitsByReplicas())
	traffic := canaryTraffic(&next, sc)
	want := seen
	want.Canary, want.Deadline, want.Message, want.Traffic = &next, deadline, msg, traffic
	if store.Same(seen, want) {
		return false, pass.Requeue, nil
	}
	err = c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.Canary, svc.Deadline, svc.Message, svc.Traffic = &next, deadline, msg, traffic
		return canaryEvents(tx, svc, pass.Events, now)
	})
	return true, pass.Requeue, err
}

// canaryDeadline bounds the wait for the candidate's instances: the
// progress deadline runs while the machine waits for them to be ready
// at its weight, and is off otherwise (pauses and analysis have their
// own bounds).
func canaryDeadline(seen store.Service, pass CanaryPass, p workload.Plan, replicas int, sc *spec.Canary, now time.Time) time.Time {
	want := CanaryReplicas(pass.Next.Weight, replicas)
	if pass.Next.Full {
		want = replicas
	}
	if p.Available >= want {
		return time.Time{}
	}
	if !seen.Deadline.IsZero() {
		return seen.Deadline
	}
	return now.Add(sc.ProgressDeadline.Duration)
}

// canaryTraffic is the router's split for a canary's state.
func canaryTraffic(cn *store.Canary, sc *spec.Canary) store.Traffic {
	return store.Traffic{Active: cn.Stable, Canary: cn.Revision, Weight: cn.Weight,
		CanaryHeader: cn.Header, CanaryValue: cn.Value, Sticky: sc.Stickiness}
}

// canaryMessage is the service's one-line status during a canary.
func canaryMessage(cn *store.Canary, sc *spec.Canary, avail, replicas int, byReplicas bool) string {
	head := fmt.Sprintf("canary revision %d at %d%%", cn.Revision, cn.Weight)
	if byReplicas && !cn.Full && cn.Weight > 0 && cn.Weight < 100 {
		n := CanaryReplicas(cn.Weight, replicas)
		head += fmt.Sprintf(" (split by replicas: %d of %d pods, %d%% effective)", n, n+replicas, EffectiveWeight(cn.Weight, n, replicas))
	}
	switch {
	case cn.Full:
		return fmt.Sprintf("%s: scaling to full (%d/%d ready) to take all traffic", head, avail, replicas)
	case cn.Paused:
		return fmt.Sprintf("%s: paused (%s); slipway rollout resume|promote|abort", head, cn.PauseReason)
	case cn.Step < len(sc.Steps):
		st := sc.Steps[cn.Step]
		if st.Pause != nil && st.Pause.UntilPromoted() && !cn.StepStarted.IsZero() {
			return fmt.Sprintf("%s: step %d/%d paused until promoted; slipway rollout promote", head, cn.Step+1, len(sc.Steps))
		}
		return fmt.Sprintf("%s: step %d/%d %s", head, cn.Step+1, len(sc.Steps), describeStep(st))
	}
	return head
}

// replicaSplitter is a platform that splits traffic by pod counts
// (kube.Cluster with traffic: replicas), whose canary weights are
// approximate.
type replicaSplitter interface{ SplitsByReplicas() bool }

// splitsByReplicas reports whether the controller's platform splits by
// pod counts.
func (c *Controller) splitsByReplicas() bool {
	p, ok := c.cfg.Platform.(replicaSplitter)
	return ok && p.SplitsByReplicas()
}

func canaryEvents(tx store.Tx, svc *store.Service, events []string, now time.Time) error {
	for _, e := range events {
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventCanaryStep, Service: svc.Name, Revision: svc.Revision,
			Operation: svc.Operation, Message: svc.Name + ": " + e})
		if err != nil {
			return err
		}
	}
	return nil
}

// rollBackCanary sends all traffic to stable at once and rejects the
// candidate, keeping every measurement with the reason.
func (c *Controller) rollBackCanary(ctx context.Context, seen store.Service, pass CanaryPass, now time.Time) error {
	next := pass.Next
	next.Outcome, next.Reason, next.Ended = store.CanaryRolledBack, pass.Reason, now
	endRuns(&next, now)
	r := rejection{candidate: next.Revision, stable: next.Stable, what: "canary", reason: pass.Reason, typ: store.EventCanaryRolledBack, record: next}
	return c.reject(ctx, seen, r, now, func(svc *store.Service) { svc.Canary = &next })
}

// rejection is a candidate rolled back by its rollout (a canary's
// analysis, a parallel run's comparison, an abort).
type rejection struct {
	candidate, stable int
	what, reason      string
	typ               store.EventType
	record            any // stored with the event: what the verdict rests on
}

// reject sends all traffic to stable at once, records the candidate as
// rolled back with the reason, and fails the rollout: its operation then
// points the service back at stable (still running) and the candidate's
// instances are stopped. edit stores the run's final state.
func (c *Controller) reject(ctx context.Context, seen store.Service, r rejection, now time.Time, edit func(*store.Service)) error {
	err := c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		edit(svc)
		svc.Deadline, svc.Traffic = time.Time{}, store.Traffic{Active: r.stable}
		f := store.Failure{Service: svc.Name, Reason: fmt.Sprintf("%s revision %d rolled back: %s", r.what, r.candidate, r.reason)}
		svc.Phase, svc.Message, svc.Failure = store.PhaseFailed, f.Reason, &f
		if err := tx.SetRevisionState(svc.Name, r.candidate, store.RevisionRolledBack, r.reason); err != nil {
			return err
		}
		data, err := json.Marshal(r.record)
		if err != nil {
			return fmt.Errorf("encode the %s record of revision %d: %w", r.what, r.candidate, err)
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: r.typ, Service: svc.Name, Revision: r.candidate,
			Operation: svc.Operation, Message: fmt.Sprintf("%s: all traffic back on revision %d; %s", svc.Name, r.stable, f.Reason), Data: data})
		return err
	})
	if err == nil && seen.Operation != 0 {
		c.cfg.Enqueue(queue.OperationKey(seen.Operation), 0)
	}
	return err
}

// promoteCanary switches all traffic to the fully scaled candidate; the
// stable revision's instances are then drained and stopped, and the
// rollout succeeds as a rolling one would.
func (c *Controller) promoteCanary(ctx context.Context, seen store.Service, pass CanaryPass, drain time.Duration, now time.Time) error {
	next := pass.Next
	next.Outcome, next.Reason, next.Ended = store.CanaryPromoted, pass.Reason, now
	endRuns(&next, now)
	return c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.Canary = &next
		if err := canaryEvents(tx, svc, pass.Events, now); err != nil {
			return err
		}
		return takeAllTraffic(tx, svc, promotion{candidate: next.Revision, what: "canary", reason: pass.Reason,
			typ: store.EventCanaryPromoted, record: next}, now.Add(drain), now)
	})
}

// promotion is a candidate promoted by its rollout.
type promotion struct {
	candidate    int
	what, reason string
	typ          store.EventType
	record       any
}

// takeAllTraffic switches all traffic to a promoted candidate; the
// stable's instances are drained and stopped by the passes that follow,
// until the deadline.
func takeAllTraffic(tx store.Tx, svc *store.Service, p promotion, deadline, now time.Time) error {
	svc.Deadline, svc.Traffic = deadline, store.Traffic{Active: p.candidate}
	svc.Message = fmt.Sprintf("%s revision %d promoted: %s", p.what, p.candidate, p.reason)
	data, err := json.Marshal(p.record)
	if err != nil {
		return fmt.Errorf("encode the %s record of revision %d: %w", p.what, p.candidate, err)
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: p.typ, Service: svc.Name, Revision: p.candidate,
		Operation: svc.Operation, Message: fmt.Sprintf("%s: all traffic on revision %d; %s", svc.Name, p.candidate, p.reason), Data: data})
	return err
}

// endRuns stops the canary's analysis runs with it: a run still going
// keeps its phase (it decided nothing) and gets its end time.
func endRuns(c *store.Canary, now time.Time) {
	for _, run := range []*store.AnalysisRun{c.Analysis, c.StepAnalysis} {
		if run != nil && run.Ended.IsZero() {
			run.Ended = now
		}
	}
}
