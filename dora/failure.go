package dora

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// deployment is one rollout of a service's revision in an
// environment, once it ended: it succeeded (the service runs the
// revision) or failed.
type deployment struct {
	Service   string
	Revision  int
	Operation int64
	// Finished is when it succeeded or failed.
	Finished  time.Time
	Succeeded bool
	// Commit is the commit the revision's artifact was built from, when
	// the spec says; LeadTime is set (NewCommit) only for the first
	// successful deployment that carried it.
	Commit    spec.CommitID
	NewCommit bool
	LeadTime  time.Duration
	// MoreLeadTimes are those of the other commits it carried first (a
	// pushed version read from git carries every commit since the
	// previous one).
	MoreLeadTimes []time.Duration
	// Failure is set when the deployment failed or led to a rollback or
	// an incident.
	Failure *Failure
}

// Failure is a deployment that failed in production, and its recovery.
type Failure struct {
	Service  string
	Revision int
	Cause    Cause
	// Incident is the first incident linked to the deployment (0: none).
	Incident int
	// Start is when the failure showed (see Cause); Recovered when the
	// service was healthy again (zero: not yet), and how.
	Start       time.Time
	Recovered   time.Time
	RecoveredBy Recovery
}

// RecoveryTime is how long the failure lasted; ok is false while it goes
// on.
func (f *Failure) RecoveryTime() (time.Duration, bool) {
	if f.Recovered.IsZero() {
		return 0, false
	}
	return f.Recovered.Sub(f.Start), true
}

// Cause says what showed a deployment failed. A closed set.
type Cause string

// Causes.
const (
	// CauseRollout: the rollout missed its readiness or progress deadline.
	CauseRollout Cause = "rollout failed"
	// CauseAnalysis: a canary's analysis or a parallel run's comparison
	// failed, and the candidate was rolled back on its own.
	CauseAnalysis Cause = "failed analysis"
	// CauseRollback: a person rolled the service back (slipway rollback).
	CauseRollback Cause = "rolled back by a person"
	// CauseReverted: the deployment succeeded, then its operation was
	// reverted because another service of it failed.
	CauseReverted Cause = "reverted with its operation"
	// CauseIncident: an incident was opened, caused by the revision.
	CauseIncident Cause = "incident"
)

func (c Cause) String() string { return string(c) }

// Recovery says how a failed service became healthy again. A closed set.
type Recovery string

// Recoveries.
const (
	RecoveredByRollback Recovery = "rollback"          // an earlier revision restored
	RecoveredByFix      Recovery = "fix deployed"      // a later deployment succeeded
	RecoveredByRemoval  Recovery = "service removed"   // nothing of it runs any more
	RecoveredByResolve  Recovery = "incident resolved" // a person said so
)

func (r Recovery) String() string { return string(r) }
