package stack

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// canaryRoute sets the traffic of a service whose target just changed
// when a canary is involved, and reports whether it did:
//
//   - moving back to the stable revision of a canary that was not
//     promoted (a revert or a rollback): the stable ran all its
//     instances throughout, so it takes all traffic at once, and a
//     canary still in flight ends rolled back;
//   - moving to a canary revision while another revision serves: the
//     serving revision keeps all traffic and a canary starts at step 1
//     (a rollback skips the steps: svc.Promote is set).
//
// A service with nothing serving yet deploys its first revision as a
// rolling update would.
func canaryRoute(svc *store.Service, sp spec.Service, now time.Time) bool {
	if c := svc.Canary; c != nil && c.Outcome != store.CanaryPromoted {
		if c.Outcome == "" {
			c.Outcome, c.Ended = store.CanaryRolledBack, now
			c.Reason = fmt.Sprintf("the rollout was replaced by a change to revision %d", svc.Revision)
		}
		if c.Stable == svc.Revision { // it ran all along: a traffic switch
			svc.Traffic, svc.Keep, svc.KeepUntil = store.Traffic{Active: svc.Revision}, 0, time.Time{}
			return true
		}
	}
	if sp.Strategy.Canary == nil || svc.Promote {
		return false
	}
	active := svc.Traffic.Active
	if active == 0 {
		active = svc.Stable
	}
	if active == 0 || active == svc.Revision {
		return false
	}
	svc.Traffic, svc.Keep, svc.KeepUntil = store.Traffic{Active: active, Canary: svc.Revision}, 0, time.Time{}
	svc.Canary = &store.Canary{Revision: svc.Revision, Stable: active, Started: now}
	return true
}
