package rollout

import (
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// A service's jobs (spec.Job) run once per revision as it is rolled out:
// when a pass first sees a revision newer than the stable one (a
// rollback's target is older, so it runs none), it records one Waiting
// run per job of the revision (SeedJobs). Before-rollout runs then go one
// at a time in name order, each only after the previous one succeeded,
// and the revision's instances wait for all of them (JobsHold); one
// failing fails the rollout. After-ready runs start once the revision is
// stable and ready. The functions here are pure; jobs.go does the I/O.

// SeedJobs returns the runs to record for the service's target revision,
// or nil when there are none to add: the revision has no jobs, is not
// newer than the stable one (a rollback), or has runs already.
func SeedJobs(svc store.Service, rev spec.Service) []store.JobRun {
	if svc.Removed || svc.Revision <= svc.Stable || len(rev.Jobs) == 0 || svc.Phase != store.PhaseProgressing {
		return nil
	}
	for _, r := range svc.Jobs {
		if r.Revision == svc.Revision && r.By == "" {
			return nil
		}
	}
	var out []store.JobRun
	for _, name := range rev.JobNames() {
		out = append(out, store.JobRun{Job: name, Revision: svc.Revision, State: store.JobWaiting, Before: rev.Jobs[name].BeforeRollout()})
	}
	return out
}

// JobsHold reports whether the target revision's instances must wait: a
// before-rollout run of it has not succeeded. failed is the index of its
// failed run, or -1.
func JobsHold(svc store.Service) (hold bool, failed int) {
	failed = -1
	for i, r := range svc.Jobs {
		if !r.Before || r.By != "" || r.Revision != svc.Revision || r.State == store.JobSucceeded {
			continue
		}
		hold = true
		if r.State == store.JobFailed && failed < 0 {
			failed = i
		}
	}
	return hold, failed
}

// NextJob returns the index of the Waiting run to start now, or -1: one
// run at a time per service; a before-rollout run of the target once the
// runs before it succeeded; an after-ready run once its revision is the
// stable one and ready; a run asked for by hand at once.
func NextJob(svc store.Service) int {
	for _, r := range svc.Jobs {
		if r.State == store.JobRunning {
			return -1
		}
	}
	for i, r := range svc.Jobs {
		if r.State != store.JobWaiting {
			continue
		}
		switch {
		case r.By != "":
			return i
		case r.Before && r.Revision == svc.Revision && svc.Phase == store.PhaseProgressing:
			if earlierBeforeDone(svc.Jobs[:i], r.Revision) {
				return i
			}
		case !r.Before && r.Revision == svc.Stable && svc.Revision == svc.Stable && svc.Phase == store.PhaseReady:
			return i
		}
	}
	return -1
}

func earlierBeforeDone(runs []store.JobRun, rev int) bool {
	return !slices.ContainsFunc(runs, func(r store.JobRun) bool {
		return r.Before && r.By == "" && r.Revision == rev && r.State != store.JobSucceeded
	})
}

// StaleJob returns the index of a Waiting release run that can no longer
// run (its revision was replaced or rolled back before its moment came),
// or -1.
func StaleJob(svc store.Service) int {
	for i, r := range svc.Jobs {
		if r.State != store.JobWaiting || r.By != "" {
			continue
		}
		if r.Revision != svc.Revision || (r.Before && svc.Phase == store.PhaseFailed) {
			return i
		}
	}
	return -1
}

// RunVerdict is what an observation says of a Running run.
type RunVerdict int

// Run verdicts.
const (
	// RunGoing: still running within its timeout.
	RunGoing RunVerdict = iota
	// RunSucceeded: exited 0.
	RunSucceeded
	// RunFailed: exited otherwise.
	RunFailed
	// RunTimedOut: still running past its timeout; stop it.
	RunTimedOut
	// RunLost: the driver has no such process, or it ended while no
	// server watched it: its outcome is unknown.
	RunLost
)

// JudgeRun judges a Running run from its process's status (nil: the
// driver does not know it).
func JudgeRun(r store.JobRun, st *workload.Status, timeout time.Duration, now time.Time) RunVerdict {
	switch {
	case st == nil || st.EndUnknown():
		return RunLost
	case st.Running && timeout > 0 && !now.Before(r.StartedAt.Add(timeout)):
		return RunTimedOut
	case st.Running:
		return RunGoing
	case st.Succeeded():
		return RunSucceeded
	}
	return RunFailed
}

// jobReason is a failed run's one-line reason, as a rollout's failure
// says it: "job migrate of revision 3 failed: exit status 1: last line".
func jobReason(r store.JobRun) string {
	s := fmt.Sprintf("job %s of revision %d failed: %s", r.Job, r.Revision, r.Exit)
	if n := len(r.Output); n > 0 {
		s += ": " + r.Output[n-1]
	}
	return s
}

// keepRuns drops the oldest ended runs beyond store.MaxJobRuns, returning
// the kept runs and the dropped ones (whose files go). A run not ended is
// never dropped.
func keepRuns(runs []store.JobRun) (kept, dropped []store.JobRun) {
	extra := len(runs) - store.MaxJobRuns
	for _, r := range runs {
		if extra > 0 && r.State.Terminal() {
			dropped = append(dropped, r)
			extra--
			continue
		}
		kept = append(kept, r)
	}
	return kept, dropped
}
