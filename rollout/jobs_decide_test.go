package rollout

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

func jobsRev() spec.Service {
	return spec.Service{Jobs: map[string]*spec.Job{
		"warm":    {Run: []string{"w"}, After: spec.JobAfterReady},
		"migrate": {Run: []string{"m"}, Before: spec.JobBeforeRollout},
	}}
}

func TestSeedJobs(t *testing.T) {
	prog := store.Service{Revision: 3, Stable: 2, Phase: store.PhaseProgressing}
	for _, tc := range []struct {
		name string
		svc  store.Service
		want int
	}{
		{"a new revision gets one run per job", prog, 2},
		{"a first rollout too", store.Service{Revision: 1, Phase: store.PhaseProgressing}, 2},
		{"a rollback (older than stable) gets none", store.Service{Revision: 1, Stable: 2, Phase: store.PhaseProgressing}, 0},
		{"the stable revision again gets none", store.Service{Revision: 2, Stable: 2, Phase: store.PhaseProgressing}, 0},
		{"runs already recorded", func() store.Service {
			s := prog
			s.Jobs = []store.JobRun{{Job: "migrate", Revision: 3, State: store.JobFailed}}
			return s
		}(), 0},
		{"a run by hand does not count", func() store.Service {
			s := prog
			s.Jobs = []store.JobRun{{Job: "migrate", Revision: 3, State: store.JobSucceeded, By: "alice"}}
			return s
		}(), 2},
		{"a removed service", store.Service{Revision: 3, Stable: 2, Phase: store.PhaseProgressing, Removed: true}, 0},
		{"not rolling out", store.Service{Revision: 3, Stable: 2, Phase: store.PhaseReady}, 0},
	} {
		got := SeedJobs(tc.svc, jobsRev())
		if len(got) != tc.want {
			t.Errorf("%s: %d runs; want %d", tc.name, len(got), tc.want)
		}
		if len(got) == 2 && (got[0].Job != "migrate" || !got[0].Before || got[1].Job != "warm" || got[1].Before) {
			t.Errorf("%s: runs %+v; want migrate (before) then warm", tc.name, got)
		}
	}
}

func TestJobsHoldAndNext(t *testing.T) {
	run := func(job string, rev int, st store.JobState, before bool) store.JobRun {
		return store.JobRun{Job: job, Revision: rev, State: st, Before: before}
	}
	for _, tc := range []struct {
		name         string
		svc          store.Service
		hold         bool
		failed, next int
	}{
		{"waiting before-jobs hold; the first starts", store.Service{Revision: 3, Stable: 2, Phase: store.PhaseProgressing,
			Jobs: []store.JobRun{run("a", 3, store.JobWaiting, true), run("b", 3, store.JobWaiting, true)}}, true, -1, 0},
		{"the second waits for the first", store.Service{Revision: 3, Stable: 2, Phase: store.PhaseProgressing,
			Jobs: []store.JobRun{run("a", 3, store.JobFailed, true), run("b", 3, store.JobWaiting, true)}}, true, 0, -1},
		{"one at a time", store.Service{Revision: 3, Stable: 2, Phase: store.PhaseProgressing,
			Jobs: []store.JobRun{run("a", 3, store.JobRunning, true), run("w", 3, store.JobWaiting, false)}}, true, -1, -1},
		{"all succeeded: no hold; after-job waits for ready", store.Service{Revision: 3, Stable: 2, Phase: store.PhaseProgressing,
			Jobs: []store.JobRun{run("a", 3, store.JobSucceeded, true), run("w", 3, store.JobWaiting, false)}}, false, -1, -1},
		{"ready: the after-job starts", store.Service{Revision: 3, Stable: 3, Phase: store.PhaseReady,
			Jobs: []store.JobRun{run("a", 3, store.JobSucceeded, true), run("w", 3, store.JobWaiting, false)}}, false, -1, 1},
		{"older revisions' runs do not hold", store.Service{Revision: 3, Stable: 3, Phase: store.PhaseReady,
			Jobs: []store.JobRun{run("a", 2, store.JobFailed, true)}}, false, -1, -1},
		{"a run by hand starts at once", store.Service{Revision: 3, Stable: 3, Phase: store.PhaseReady,
			Jobs: []store.JobRun{{Job: "a", Revision: 3, State: store.JobWaiting, Before: true, By: "alice"}}}, false, -1, 0},
	} {
		hold, failed := JobsHold(tc.svc)
		if hold != tc.hold || failed != tc.failed {
			t.Errorf("%s: hold %v failed %d; want %v %d", tc.name, hold, failed, tc.hold, tc.failed)
		}
		if next := NextJob(tc.svc); next != tc.next {
			t.Errorf("%s: next %d; want %d", tc.name, next, tc.next)
		}
	}
}

func TestJudgeRun(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	r := store.JobRun{StartedAt: t0}
	for _, tc := range []struct {
		name string
		st   *workload.Status
		now  time.Time
		want RunVerdict
	}{
		{"unknown to the driver", nil, t0, RunLost},
		{"ended unseen", &workload.Status{Exit: "ended while not watched (exit status unknown)"}, t0, RunLost},
		{"running", &workload.Status{Running: true}, t0.Add(time.Minute), RunGoing},
		{"running at its timeout", &workload.Status{Running: true}, t0.Add(5 * time.Minute), RunTimedOut},
		{"exit 0", &workload.Status{Exit: "exit status 0"}, t0, RunSucceeded},
		{"exit 3", &workload.Status{Exit: "exit status 3"}, t0, RunFailed},
		{"killed", &workload.Status{Exit: "signal: killed"}, t0, RunFailed},
	} {
		if got := JudgeRun(r, tc.st, 5*time.Minute, tc.now); got != tc.want {
			t.Errorf("%s: %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestKeepRunsNeverDropsARunInFlight(t *testing.T) {
	runs := make([]store.JobRun, store.MaxJobRuns+2)
	for i := range runs {
		runs[i] = store.JobRun{Job: "j", Revision: i, State: store.JobSucceeded}
	}
	runs[0].State = store.JobRunning
	kept, dropped := keepRuns(runs)
	if len(kept) != store.MaxJobRuns || len(dropped) != 2 || kept[0].Revision != 0 || dropped[0].Revision != 1 {
		t.Errorf("kept %d (first r%d), dropped %+v", len(kept), kept[0].Revision, dropped)
	}
}
