package stack

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// progressiveRoute sets the traffic of a service whose target just
// changed when a canary or a parallel run is involved, and reports
// whether it did:
//
//   - moving back to the stable revision of a canary or parallel run
//     that was not promoted (a revert or a rollback): the stable ran all
//     its instances throughout, so it takes all traffic at once, and a
//     run still in flight ends rolled back;
//   - moving to a canary or parallel-run revision while another revision
//     serves: the serving revision keeps all traffic and the run starts
//     (a rollback skips it: svc.Promote is set).
//
// A service with nothing serving yet deploys its first revision as a
// rolling update would.
func progressiveRoute(svc *store.Service, sp spec.Service, from int, now time.Time) bool {
	if backToStable(svc, from, now) {
		return true
	}
	s := sp.Strategy
	if (s.Canary == nil && s.ParallelRun == nil) || svc.Promote {
		return false
	}
	active := svc.Traffic.Active
	if active == 0 {
		active = svc.Stable
	}
	if active == 0 || active == svc.Revision {
		return false
	}
	svc.Keep, svc.KeepUntil = 0, time.Time{}
	if s.Canary != nil {
		svc.Traffic = store.Traffic{Active: active, Canary: svc.Revision}
		svc.Canary = &store.Canary{Revision: svc.Revision, Stable: active, Started: now}
		return true
	}
	svc.Traffic = store.Traffic{Active: active}
	svc.ParallelRun = &store.ParallelRun{Revision: svc.Revision, Stable: active}
	return true
}

// backToStable handles a move away from the candidate of a run that was
// not promoted (from is the target before the move): it ends the run and
// reports whether the new target is the run's stable, still running.
func backToStable(svc *store.Service, from int, now time.Time) bool {
	why := fmt.Sprintf("the rollout was replaced by a change to revision %d", svc.Revision)
	back := false
	if c := svc.Canary; c != nil && c.Revision == from && c.Outcome != store.CanaryPromoted {
		if c.Outcome == "" {
			c.Outcome, c.Ended, c.Reason = store.CanaryRolledBack, now, why
		}
		back = c.Stable == svc.Revision
	}
	if p := svc.ParallelRun; p != nil && p.Revision == from && p.Outcome != store.CanaryPromoted {
		if p.Outcome == "" {
			p.Outcome, p.Ended, p.Reason = store.CanaryRolledBack, now, why
		}
		back = back || p.Stable == svc.Revision
	}
	if back { // it ran all along: a traffic switch
		svc.Traffic, svc.Keep, svc.KeepUntil = store.Traffic{Active: svc.Revision}, 0, time.Time{}
	}
	return back
}
