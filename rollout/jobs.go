package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// jobOutputLines is how many of a run's last log lines are kept with it.
const jobOutputLines = 20

// jobGate is what the jobs step of a pass concludes.
type jobGate struct {
	// hold: the target revision's instances must not start yet.
	hold bool
	// wrote: the pass changed the service; look again at once.
	wrote bool
	// again: look again after this long (a run in flight), 0: no need.
	again time.Duration
}

// reconcileJobs takes the next step of the service's job runs: records
// the runs of a new revision, starts, watches, times out and retries
// them, and fails the rollout when a before-rollout run fails.
func (c *Controller) reconcileJobs(ctx context.Context, s snapshot, now time.Time) (jobGate, error) {
	if !s.found || s.svc.Removed || s.svc.Revision == 0 {
		return jobGate{}, nil
	}
	rev, err := c.revision(ctx, s.svc.Name, s.svc.Revision)
	if err != nil {
		return jobGate{}, err
	}
	svc := s.svc
	if seeds := SeedJobs(svc, rev.Spec); len(seeds) > 0 {
		return jobGate{hold: true, wrote: true}, c.seedJobs(ctx, svc, seeds)
	}
	g := jobGate{}
	if i := StaleJob(svc); i >= 0 {
		return jobGate{wrote: true}, c.endRun(ctx, svc, i, store.JobFailed, fmt.Sprintf("not run: revision %d is no longer the target", svc.Jobs[i].Revision), now)
	}
	for i, r := range svc.Jobs {
		if r.State == store.JobRunning {
			wrote, err := c.watchRun(ctx, svc, i, now)
			if wrote || err != nil {
				return jobGate{hold: true, wrote: wrote}, err
			}
			g.again = time.Second
		}
	}
	if i := NextJob(svc); i >= 0 {
		return jobGate{hold: true, wrote: true}, c.startRun(ctx, svc, i, 1, now)
	}
	hold, failed := JobsHold(svc)
	g.hold = hold
	if failed >= 0 && svc.Phase == store.PhaseProgressing {
		g.wrote = true
		return g, c.failByJob(ctx, svc, svc.Jobs[failed], now)
	}
	return g, nil
}

// seedJobs records a new revision's runs, and says what the rollout
// waits for.
func (c *Controller) seedJobs(ctx context.Context, seen store.Service, seeds []store.JobRun) error {
	return c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.Jobs = append(svc.Jobs, seeds...)
		if hold, _ := JobsHold(*svc); hold {
			svc.Message = fmt.Sprintf("revision %d waits for its jobs to run before its rollout", svc.Revision)
		}
		return c.pruneRuns(ctx, svc)
	})
}

// pruneRuns drops the oldest ended runs beyond store.MaxJobRuns and their
// files.
func (c *Controller) pruneRuns(ctx context.Context, svc *store.Service) error {
	kept, dropped := keepRuns(svc.Jobs)
	svc.Jobs = kept
	for _, r := range dropped {
		if r.Instance == "" {
			continue
		}
		if err := c.cfg.Driver.Remove(ctx, r.Instance); err != nil && !errors.Is(err, workload.ErrNotFound) {
			c.cfg.Logger.Warn("remove a job run's files", "instance", r.Instance, "err", err)
		}
	}
	return nil
}

// startRun records run i as Running (attempt n) and then starts its
// process: were the server to die in between, the next one finds no
// process and reports the run lost (and runs it once more).
func (c *Controller) startRun(ctx context.Context, seen store.Service, i, attempt int, now time.Time) error {
	r := seen.Jobs[i]
	r.State, r.Attempt, r.StartedAt, r.EndedAt, r.Exit, r.Output = store.JobRunning, attempt, now, time.Time{}, "", nil
	r.Instance = fmt.Sprintf("%s-%d-job-%s-%s", seen.Name, r.Revision, r.Job, c.cfg.NewID())
	var after store.Service
	err := c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.Jobs[i] = r
		if r.Before && svc.Phase == store.PhaseProgressing {
			svc.Message = fmt.Sprintf("running job %s before the rollout of revision %d", r.Job, r.Revision)
		}
		after = *svc
		return jobEvent(tx, svc, r, store.EventJobStarted, now, fmt.Sprintf("job %s of %s revision %d started (attempt %d)", r.Job, svc.Name, r.Revision, attempt), false)
	})
	if err != nil {
		return err
	}
	is, err := c.jobSpec(ctx, after, r)
	if err == nil {
		_, err = c.cfg.Driver.Start(ctx, is)
	}
	if err == nil {
		return nil
	}
	after.StoreVersion++ // the write above
	return c.endRun(ctx, after, i, store.JobFailed, "start failed: "+err.Error(), c.cfg.Clock.Now())
}

// jobSpec is the run's process: the revision's instance spec (artifact
// or image, env, user, limits) with the job's command and no port.
func (c *Controller) jobSpec(ctx context.Context, svc store.Service, r store.JobRun) (workload.InstanceSpec, error) {
	rev, err := c.revision(ctx, svc.Name, r.Revision)
	if err != nil {
		return workload.InstanceSpec{}, err
	}
	job := rev.Spec.Jobs[r.Job]
	if job == nil {
		return workload.InstanceSpec{}, fmt.Errorf("revision %d of %s has no job %s", r.Revision, svc.Name, r.Job)
	}
	is, err := c.instanceSpec(ctx, store.Instance{ID: r.Instance, Service: svc.Name, Revision: r.Revision}, rev)
	if err != nil {
		return is, err
	}
	delete(is.Env, "PORT")
	is.Env["SLIPWAY_JOB"] = r.Job
	is.RecordExit = true // a run's outcome must survive a server's kill -9
	is.Command = spec.Expand(job.Run, is.Env)
	return is, nil
}

// watchRun looks at run i's process and records its end, stops it past
// its timeout, or runs it again once when it was lost.
func (c *Controller) watchRun(ctx context.Context, svc store.Service, i int, now time.Time) (bool, error) {
	r := svc.Jobs[i]
	var st *workload.Status
	s, err := c.cfg.Driver.Status(ctx, r.Instance)
	switch {
	case err == nil:
		st = &s
	case !errors.Is(err, workload.ErrNotFound):
		return false, fmt.Errorf("job %s: %w", r.Instance, err)
	}
	timeout := c.jobTimeout(ctx, svc.Name, r)
	switch JudgeRun(r, st, timeout, now) {
	case RunSucceeded:
		return true, c.endRun(ctx, svc, i, store.JobSucceeded, st.Exit, now)
	case RunFailed:
		return true, c.endRun(ctx, svc, i, store.JobFailed, st.Exit, now)
	case RunTimedOut:
		if err := c.cfg.Driver.Stop(ctx, r.Instance, 5*time.Second); err != nil && !errors.Is(err, workload.ErrNotFound) {
			return false, fmt.Errorf("stop job %s: %w", r.Instance, err)
		}
		return true, c.endRun(ctx, svc, i, store.JobFailed, fmt.Sprintf("timed out after %s", spec.Duration{Duration: timeout}), now)
	case RunLost:
		return true, c.lostRun(ctx, svc, i, st, now)
	}
	return false, nil
}

func (c *Controller) jobTimeout(ctx context.Context, service string, r store.JobRun) time.Duration {
	rev, err := c.revision(ctx, service, r.Revision)
	if err != nil || rev.Spec.Jobs[r.Job] == nil {
		return spec.DefaultJobTimeout
	}
	return rev.Spec.Jobs[r.Job].Timeout.Duration
}

// lostRun reports a run whose outcome nobody saw, and runs it once more;
// a second loss fails it.
func (c *Controller) lostRun(ctx context.Context, svc store.Service, i int, st *workload.Status, now time.Time) error {
	r := svc.Jobs[i]
	why := "its process was not found after a server restart"
	if st != nil {
		why = "its process " + st.Exit
	}
	if r.Attempt >= 2 {
		return c.endRun(ctx, svc, i, store.JobFailed, "lost twice: "+why, now)
	}
	err := c.updateService(ctx, svc, func(tx store.Tx, s *store.Service) error {
		return jobEvent(tx, s, r, store.EventJobLost, now, fmt.Sprintf("job %s of %s revision %d was lost (%s): running it once more", r.Job, s.Name, r.Revision, why), false)
	})
	if err != nil {
		return err
	}
	c.removeRun(ctx, r)
	svc.StoreVersion++
	return c.startRun(ctx, svc, i, r.Attempt+1, now)
}

// removeRun deletes an ended run's files.
func (c *Controller) removeRun(ctx context.Context, r store.JobRun) {
	if err := c.cfg.Driver.Remove(ctx, r.Instance); err != nil && !errors.Is(err, workload.ErrNotFound) {
		c.cfg.Logger.Warn("remove a lost job run", "instance", r.Instance, "err", err)
	}
}

// endRun records run i's end with its last output lines; a failed
// before-rollout run fails the rollout on the next pass, and the last
// before-rollout run to succeed starts the progress deadline afresh.
func (c *Controller) endRun(ctx context.Context, seen store.Service, i int, state store.JobState, exit string, now time.Time) error {
	r := seen.Jobs[i]
	r.State, r.Exit, r.EndedAt = state, exit, now
	if r.Instance != "" {
		if lines, err := c.cfg.Driver.Logs(ctx, r.Instance, jobOutputLines); err == nil {
			r.Output = lines
		}
	}
	typ, msg := store.EventJobSucceeded, fmt.Sprintf("job %s of %s revision %d succeeded", r.Job, seen.Name, r.Revision)
	if state == store.JobFailed {
		typ, msg = store.EventJobFailed, fmt.Sprintf("job %s of %s revision %d failed: %s", r.Job, seen.Name, r.Revision, exit)
	}
	return c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
		svc.Jobs[i] = r
		if hold, _ := JobsHold(*svc); !hold && r.Before && r.By == "" && svc.Phase == store.PhaseProgressing {
			if rev, err := c.revision(ctx, svc.Name, svc.Revision); err == nil {
				svc.Deadline = now.Add(rev.Spec.ProgressDeadline())
			}
			svc.Message = fmt.Sprintf("revision %d's jobs succeeded: starting its instances", svc.Revision)
		}
		return jobEvent(tx, svc, r, typ, now, msg, state == store.JobFailed)
	})
}

// failByJob fails the target revision's rollout for a failed
// before-rollout run, with the run's last lines, as a failed readiness
// does: the operation then reverts the service to its previous revision,
// whose instances never stopped.
func (c *Controller) failByJob(ctx context.Context, seen store.Service, r store.JobRun, now time.Time) error {
	f := store.Failure{Service: seen.Name, Instance: r.Instance, Reason: jobReason(r), Logs: r.Output}
	err := c.updateService(ctx, seen, func(tx store.Tx, svc *store.Service) error {
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

// jobEvent appends a job event with its JobData; withOutput adds the
// run's last lines (failures).
func jobEvent(tx store.Tx, svc *store.Service, r store.JobRun, typ store.EventType, now time.Time, msg string, withOutput bool) error {
	d := store.JobData{Job: r.Job, Attempt: r.Attempt, Exit: r.Exit}
	if withOutput {
		d.Output = r.Output
	}
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	e := store.Event{Time: now, Type: typ, Service: svc.Name, Revision: r.Revision, Instance: r.Instance, Message: msg, Data: data, By: r.By}
	if svc.Phase == store.PhaseProgressing {
		e.Operation = svc.Operation
	}
	_, err = tx.AppendEvent(e)
	return err
}

// heldDesired is what runs while the target revision waits for its
// before-rollout jobs: the stable revision as it is, and nothing of the
// target (none at all for a first rollout).
func (c *Controller) heldDesired(ctx context.Context, s snapshot) (workload.Desired, error) {
	if s.svc.Stable == 0 {
		return workload.Desired{Revision: s.svc.Revision, Replicas: 0, MaxSurge: 1}, nil
	}
	rev, err := c.revision(ctx, s.svc.Name, s.svc.Stable)
	if err != nil {
		return workload.Desired{}, err
	}
	d := workload.Desired{Revision: rev.Number, Replicas: rev.Spec.Replicas(), MaxSurge: 1, Active: s.svc.Stable}
	if r := rev.Spec.Strategy.Rolling; r != nil && r.MaxUnavailable != nil {
		d.MaxUnavailable = *r.MaxUnavailable
	}
	return d, nil
}

// minPositive is the smaller of two durations, 0 meaning none.
func minPositive(a, b time.Duration) time.Duration {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}
