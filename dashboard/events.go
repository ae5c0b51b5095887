package dashboard

import "github.com/slipway-dev/slipway/store"

// The event types pages pick out of the log, by what they mean to a
// person: store's constants, so that a renamed type fails to compile
// here rather than drop out of a page.

// markKinds are the events the timeline marks, by kind.
var markKinds = kinds(map[string][]store.EventType{
	"deploy": {store.EventOperationStarted, store.EventDeployStarted, store.EventRollbackStarted, store.EventRollbackRequested,
		store.EventCanaryPromoted, store.EventParallelRunPromoted, store.EventServicePromoted, store.EventPromotionSucceeded,
		store.EventCanaryRolledBack, store.EventParallelRunRolledBack, store.EventOperationRolledBack},
	"flag": {store.EventFlagsApplied, store.EventFlagEnabled, store.EventFlagDisabled, store.EventFlagKilled, store.EventFlagSet,
		store.EventFlagRollout, store.EventFlagReleaseStep, store.EventFlagReleaseRolledBack, store.EventFlagReleasePromoted},
	"incident": {store.EventIncidentOpened, store.EventIncidentResolved},
})

// deployHistory are the events a service's revisions page lists: who
// deployed what, rollbacks and their reasons, what people asked.
var deployHistory = kinds(map[string][]store.EventType{"": {
	store.EventOperationStarted, store.EventOperationSucceeded, store.EventOperationFailed, store.EventOperationRollingBack,
	store.EventOperationRolledBack, store.EventRollbackRequested, store.EventRollbackStarted, store.EventDeployStarted,
	store.EventRolloutStarted, store.EventRolloutSucceeded, store.EventRolloutFailed, store.EventRolloutPaused,
	store.EventCanaryRolledBack, store.EventParallelRunRolledBack, store.EventRolloutVerb,
}})

func kinds(m map[string][]store.EventType) map[string]string {
	out := map[string]string{}
	for kind, types := range m {
		for _, t := range types {
			out[string(t)] = kind
		}
	}
	return out
}
