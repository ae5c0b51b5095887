package store

// EventType names what an Event records. Every type Slipway writes is a
// constant below: writers and readers (the DORA metrics, the pipeline's
// gates, the CLI's timeline through the API) share these, so a rename is
// a compile error rather than a metric that silently reads zero.
//
// The value is stored in each event (and its "type" column) and sent on
// the wire as is: never change a constant's value, add a new one.
type EventType string

// String returns the type as stored, e.g. "service.rollout.succeeded".
func (t EventType) String() string { return string(t) }

// Instance events: one instance of a revision, written by package
// rollout as it creates, starts, checks and stops instances.
const (
	// EventInstanceCreated: an instance record was written, before its
	// process starts.
	EventInstanceCreated EventType = "instance.created"
	// EventInstanceStarted: an instance's process started the first time.
	EventInstanceStarted EventType = "instance.started"
	// EventInstanceRestarted: an instance's process started again after
	// it ended.
	EventInstanceRestarted EventType = "instance.restarted"
	// EventInstanceExited: an instance's process ended; it restarts after
	// a backoff.
	EventInstanceExited EventType = "instance.exited"
	// EventInstanceCrashLoop: an instance's process ended again and
	// again (the restart policy says it is crash-looping); it restarts
	// after a backoff.
	EventInstanceCrashLoop EventType = "instance.crashloop"
	// EventInstanceReady: an instance passed its readiness check.
	EventInstanceReady EventType = "instance.ready"
	// EventInstanceUnready: an instance failed its readiness check.
	EventInstanceUnready EventType = "instance.unready"
	// EventInstanceUnhealthy: an instance failed its liveness check and
	// is killed.
	EventInstanceUnhealthy EventType = "instance.unhealthy"
	// EventInstanceStopping: an instance leaves rotation to be drained and
	// stopped.
	EventInstanceStopping EventType = "instance.stopping"
	// EventInstanceStopped: an instance stopped and its record is deleted.
	EventInstanceStopped EventType = "instance.stopped"
	// EventInstancePortMoved: an instance's port was taken by another
	// process before the instance could listen on it; it got another.
	EventInstancePortMoved EventType = "instance.portmoved"
)

// Service and rollout events: a service moving between revisions,
// written by package stack (starts) and package rollout (outcomes).
const (
	// EventRolloutStarted: an operation pointed a service at a new
	// revision.
	EventRolloutStarted EventType = "service.rollout.started"
	// EventRolloutSucceeded: a service runs its target revision, now
	// stable. Data: RolloutSucceededData (the DORA metrics read it).
	EventRolloutSucceeded EventType = "service.rollout.succeeded"
	// EventRolloutFailed: a service missed its progress deadline. Data:
	// Failure.
	EventRolloutFailed EventType = "service.rollout.failed"
	// EventRolloutPaused: a blue/green rollout waits for a promote.
	EventRolloutPaused EventType = "service.rollout.paused"
	// EventRollbackStarted: a failed operation points a service back at
	// its previous revision.
	EventRollbackStarted EventType = "service.rollback.started"
	// EventServicePromoted: a blue/green service's traffic switched to its
	// new revision.
	EventServicePromoted EventType = "service.promoted"
	// EventServiceScaledDown: a blue/green service's previous revision
	// was stopped after its scale-down delay.
	EventServiceScaledDown EventType = "service.scaled_down"
	// EventServiceRemoved: a service left the spec and its last instance
	// stopped.
	EventServiceRemoved EventType = "service.removed"
	// EventRevisionScaled: a platform that runs whole revisions
	// (Kubernetes) was told to run a revision at a new instance count.
	EventRevisionScaled EventType = "revision.scaled"
	// EventRevisionDeleted: such a platform's revision was deleted.
	EventRevisionDeleted EventType = "revision.deleted"
	// EventPlatformFailed: such a platform refused a write (a conflict,
	// RBAC, a missing namespace; the message says what to do); the
	// controller retries with backoff.
	EventPlatformFailed EventType = "platform.failed"
	// EventServiceAutoscaled: the autoscaler changed a service's desired
	// instance count (to 0: scaled to zero; from 0: woken by a request).
	// Data: AutoscaledData.
	EventServiceAutoscaled EventType = "service.autoscaled"
)

// Canary events: the steps and outcome of a canary release (package
// rollout).
const (
	// EventCanaryStep: a canary took a step (a weight, a pause, an
	// analysis verdict), said in its message.
	EventCanaryStep EventType = "service.canary.step"
	// EventCanaryRolledBack: a canary was aborted or failed its analysis;
	// all traffic is back on stable. Data: Canary.
	EventCanaryRolledBack EventType = "service.canary.rolled_back"
	// EventCanaryPromoted: a canary passed its last step and serves all
	// traffic. Data: Canary.
	EventCanaryPromoted EventType = "service.canary.promoted"
)

// Parallel run events: the progress and outcome of a parallel run
// (package rollout).
const (
	// EventParallelRunStep: a parallel run began mirroring (or began
	// again after a restart), or went on when a promote came too early;
	// said in its message.
	EventParallelRunStep EventType = "service.parallel_run.step"
	// EventParallelRunRolledBack: a parallel run rejected its candidate.
	// Data: ParallelRun.
	EventParallelRunRolledBack EventType = "service.parallel_run.rolled_back"
	// EventParallelRunPromoted: a parallel run promoted its candidate.
	// Data: ParallelRun.
	EventParallelRunPromoted EventType = "service.parallel_run.promoted"
)

// Rollout verb events: a person's edit to a rollout in flight (package
// stack).
const (
	// EventRolloutVerb: pause, resume, abort or set-weight was asked.
	EventRolloutVerb EventType = "rollout.verb"
	// EventPromoteRequested: a promote of a canary, blue/green or
	// parallel run was asked.
	EventPromoteRequested EventType = "rollout.promote.requested"
	// EventRetryRequested: a retry of a rolled-back revision was asked;
	// it starts an operation.
	EventRetryRequested EventType = "rollout.retry.requested"
)

// Operation events: an apply, rollback or deploy of the app (package
// stack).
const (
	// EventOperationStarted: an apply started an operation.
	EventOperationStarted EventType = "operation.started"
	// EventDeployStarted: a deploy of a pushed version started an
	// operation.
	EventDeployStarted EventType = "deploy.started"
	// EventRollbackRequested: a person asked for a rollback of a service;
	// it starts an operation.
	EventRollbackRequested EventType = "rollback.requested"
	// EventOperationSucceeded: every change of an operation is done.
	EventOperationSucceeded EventType = "operation.succeeded"
	// EventOperationFailed: an operation failed and is not reverted.
	EventOperationFailed EventType = "operation.failed"
	// EventOperationRollingBack: an operation failed and reverts its
	// started changes.
	EventOperationRollingBack EventType = "operation.rolling_back"
	// EventOperationRolledBack: a failed operation's revert is done.
	EventOperationRolledBack EventType = "operation.rolled_back"
)

// Promotion events: a pushed version through the environments' gates,
// in the hub's log (package pipeline). Data: PromotionData (which
// promotion, into which environment).
const (
	// EventPromotionRequested: a deploy or promote was asked.
	EventPromotionRequested EventType = "promotion.requested"
	// EventPromotionGatePassed: one of a promotion's gates passed.
	EventPromotionGatePassed EventType = "promotion.gate.passed"
	// EventPromotionGateFailed: one of a promotion's gates failed.
	EventPromotionGateFailed EventType = "promotion.gate.failed"
	// EventPromotionAwaitingApproval: a promotion reached an approval
	// gate and waits for a person (the notifications carry approve and
	// reject links for it).
	EventPromotionAwaitingApproval EventType = "promotion.approval.waiting"
	// EventPromotionApproved: a person approved a promotion's approval
	// gate.
	EventPromotionApproved EventType = "promotion.approved"
	// EventPromotionRejected: a person rejected a promotion's approval
	// gate.
	EventPromotionRejected EventType = "promotion.rejected"
	// EventPromotionDeploying: a promotion passed its gates and deploys.
	EventPromotionDeploying EventType = "promotion.deploying"
	// EventPromotionSucceeded: a promotion's deploy succeeded.
	EventPromotionSucceeded EventType = "promotion.succeeded"
	// EventPromotionFailed: a promotion's gate or deploy failed.
	EventPromotionFailed EventType = "promotion.failed"
	// EventPromotionCancelled: a person cancelled a promotion.
	EventPromotionCancelled EventType = "promotion.cancelled"
)

// Promotion reports whether t is one of the promotion events, which the
// hub's log holds for every environment (their Data, PromotionData,
// names the target).
func (t EventType) Promotion() bool {
	switch t {
	case EventPromotionRequested, EventPromotionGatePassed, EventPromotionGateFailed, EventPromotionAwaitingApproval,
		EventPromotionApproved, EventPromotionRejected, EventPromotionDeploying, EventPromotionSucceeded,
		EventPromotionFailed, EventPromotionCancelled:
		return true
	}
	return false
}

// PromotionEvent returns the type of the event that records a promotion
// entering state s (a new one enters PromotionWaiting: it was
// requested); ok is false for an unknown state.
func PromotionEvent(s PromotionState) (typ EventType, ok bool) {
	switch s {
	case PromotionWaiting:
		return EventPromotionRequested, true
	case PromotionDeploying:
		return EventPromotionDeploying, true
	case PromotionSucceeded:
		return EventPromotionSucceeded, true
	case PromotionFailed:
		return EventPromotionFailed, true
	case PromotionCancelled:
		return EventPromotionCancelled, true
	}
	return "", false
}

// GateEvent returns the type of the event that records a promotion's
// gate ending in state s; ok is false while it has not ended (Pending,
// Running).
func GateEvent(s GateState) (typ EventType, ok bool) {
	switch s {
	case GatePassed:
		return EventPromotionGatePassed, true
	case GateFailed:
		return EventPromotionGateFailed, true
	}
	return "", false
}

// Flag events: each writes a new flag configuration revision (package
// stack; releases by package rollout).
const (
	// EventFlagsApplied: an apply stored the spec's flags.
	EventFlagsApplied EventType = "flags.applied"
	// EventFlagEnabled: a flag was enabled at run time.
	EventFlagEnabled EventType = "flag.enable"
	// EventFlagDisabled: a flag was disabled at run time.
	EventFlagDisabled EventType = "flag.disable"
	// EventFlagKilled: a flag was killed (its kill switch).
	EventFlagKilled EventType = "flag.kill"
	// EventFlagSet: a flag's default variant was set at run time.
	EventFlagSet EventType = "flag.set"
	// EventFlagRollout: a flag's variants' split was set at run time.
	EventFlagRollout EventType = "flag.rollout"
	// EventFlagReleaseStep: a progressive release raised its variant's
	// share.
	EventFlagReleaseStep EventType = "flag.release.step"
	// EventFlagReleaseRolledBack: a progressive release failed its
	// analysis; its variant is back to 0%.
	EventFlagReleaseRolledBack EventType = "flag.release.rolled_back"
	// EventFlagReleasePromoted: a progressive release reached its last
	// step.
	EventFlagReleasePromoted EventType = "flag.release.promoted"
)

// Incident events: failures a person reported (the API, with package
// dora's OpenIncident and ResolveIncident).
const (
	// EventIncidentOpened: an incident was opened. Data: IncidentData.
	EventIncidentOpened EventType = "incident.opened"
	// EventIncidentResolved: an incident was resolved. Data:
	// IncidentData.
	EventIncidentResolved EventType = "incident.resolved"
)

// Environment events: an environment taken down (package server).
const (
	// EventEnvironmentDownStarted: taking an environment down began.
	EventEnvironmentDownStarted EventType = "environment.down.started"
	// EventEnvironmentDown: an environment's instances are stopped and
	// its services deleted.
	EventEnvironmentDown EventType = "environment.down"
)

// Job events: runs of a service's jobs (spec.Job, store.JobRun), written
// by package rollout; Data: JobData.
const (
	// EventJobStarted: a job's run started (Attempt 2: again, after the
	// first was lost).
	EventJobStarted EventType = "job.started"
	// EventJobSucceeded: a job's run exited 0.
	EventJobSucceeded EventType = "job.succeeded"
	// EventJobFailed: a job's run failed (exit status, timeout, lost
	// twice); a before-rollout job's failure stops its revision's rollout.
	EventJobFailed EventType = "job.failed"
	// EventJobLost: a job's run was not found again after a server
	// restart, or ended while no server watched it (its outcome unknown);
	// it is run once more.
	EventJobLost EventType = "job.lost"
	// EventJobRequested: someone asked for a job to run by hand.
	EventJobRequested EventType = "job.requested"
	// EventInstanceHostRestart: an instance's process was gone after the
	// host restarted (not a crash); it is started again, in dependency
	// order.
	EventInstanceHostRestart EventType = "instance.host_restart"
)

// Certificate events: the router's TLS edge obtaining and renewing
// certificates over ACME (package server, from router/edge). Service
// and revision are empty: a certificate belongs to a host.
const (
	// EventCertificateObtained: a certificate was issued (or renewed)
	// and is served. Data: CertificateData.
	EventCertificateObtained EventType = "router.certificate.obtained"
	// EventCertificateFailed: the CA issued none; the host keeps the
	// certificate it had, if any. Data: CertificateData.
	EventCertificateFailed EventType = "router.certificate.failed"
	// EventTLSConfigFailed: the environment's tls: section could not be
	// put in force (its ACME directory unreachable, a root file
	// unreadable); the edge keeps serving as it did. Data:
	// CertificateData (Error).
	EventTLSConfigFailed EventType = "router.tls.failed"
)

// Health events (issue 17): conditions that last, noticed outside any
// release, each written once per episode and once when it ends.
const (
	// EventServiceUnhealthy: a service has had fewer ready instances
	// than desired, or a running instance failing readiness, for longer
	// than the server's --unhealthy-after (package rollout). Data:
	// UnhealthyData.
	EventServiceUnhealthy EventType = "service.unhealthy"
	// EventServiceRecovered: a service that was reported unhealthy is
	// healthy again. Data: UnhealthyData (Since: when it became
	// unhealthy).
	EventServiceRecovered EventType = "service.recovered"
	// EventDiskLow: the free space of the server's data folder fell
	// below --disk-warn-free (package server, in the default
	// environment's log). Data: DiskData.
	EventDiskLow EventType = "server.disk.low"
	// EventDiskRecovered: the data folder's free space is back above
	// the threshold plus a margin. Data: DiskData.
	EventDiskRecovered EventType = "server.disk.recovered"
)

// Day-two events (issue 17): secrets, and the everyday verbs on a
// running service. Each carries By (the request's actor).
const (
	// EventSecretSet: a new version of a secret was stored, sealed.
	// Data: SecretData (name and version, never the value).
	EventSecretSet EventType = "secret.set"
	// EventServiceRestartRequested: a person asked for a rolling restart
	// of a service's current revision (slipway restart); not a new
	// revision.
	EventServiceRestartRequested EventType = "service.restart.requested"
	// EventServiceScaled: a person changed a service's instances at run
	// time (slipway scale), until an apply changes instances. Data:
	// ScaleData.
	EventServiceScaled EventType = "service.scaled"
	// EventInstanceExec: a person ran a command in an instance's
	// environment (slipway exec). Data: ExecData.
	EventInstanceExec EventType = "instance.exec"
)

// Config events: a new version of a dynamic configuration (package
// stack) and its delivery to the instances that read it (package
// rollout). Service is the service that reads the config. Data:
// ConfigData.
const (
	// EventConfigApplied: an apply stored a config's new version.
	EventConfigApplied EventType = "config.applied"
	// EventConfigSet: config set stored a new version.
	EventConfigSet EventType = "config.set"
	// EventConfigPushed: config push stored a new version.
	EventConfigPushed EventType = "config.pushed"
	// EventConfigRollback: config rollback stored a copy of an earlier
	// version as the newest.
	EventConfigRollback EventType = "config.rollback"
	// EventConfigDeliveryStep: a delivery gave the version to more
	// instances.
	EventConfigDeliveryStep EventType = "config.delivery.step"
	// EventConfigDeliverySucceeded: every instance applied the version
	// and the bake time passed.
	EventConfigDeliverySucceeded EventType = "config.delivery.succeeded"
	// EventConfigDeliveryRolledBack: a delivery failed (its analysis, an
	// instance that did not apply the version) and its instances went
	// back to the previous version.
	EventConfigDeliveryRolledBack EventType = "config.delivery.rolled_back"
	// EventConfigDeliveryStopped: config stop halted a delivery and put
	// the previous version back.
	EventConfigDeliveryStopped EventType = "config.delivery.stopped"
)

// EventTypes returns every event type Slipway writes, grouped as above.
func EventTypes() []EventType {
	return []EventType{
		EventInstanceCreated, EventInstanceStarted, EventInstanceRestarted, EventInstanceExited,
		EventInstanceCrashLoop, EventInstanceReady, EventInstanceUnready, EventInstanceUnhealthy,
		EventInstanceStopping, EventInstanceStopped, EventInstancePortMoved,
		EventRolloutStarted, EventRolloutSucceeded, EventRolloutFailed, EventRolloutPaused,
		EventRollbackStarted, EventServicePromoted, EventServiceScaledDown, EventServiceRemoved,
		EventRevisionScaled, EventRevisionDeleted, EventPlatformFailed,
		EventServiceAutoscaled,
		EventCanaryStep, EventCanaryRolledBack, EventCanaryPromoted,
		EventParallelRunStep, EventParallelRunRolledBack, EventParallelRunPromoted,
		EventRolloutVerb, EventPromoteRequested, EventRetryRequested,
		EventOperationStarted, EventDeployStarted, EventRollbackRequested, EventOperationSucceeded,
		EventOperationFailed, EventOperationRollingBack, EventOperationRolledBack,
		EventPromotionRequested, EventPromotionGatePassed, EventPromotionGateFailed,
		EventPromotionAwaitingApproval, EventPromotionApproved, EventPromotionRejected, EventPromotionDeploying,
		EventPromotionSucceeded, EventPromotionFailed, EventPromotionCancelled,
		EventCertificateObtained, EventCertificateFailed, EventTLSConfigFailed,
		EventFlagsApplied, EventFlagEnabled, EventFlagDisabled, EventFlagKilled, EventFlagSet,
		EventFlagRollout, EventFlagReleaseStep, EventFlagReleaseRolledBack, EventFlagReleasePromoted,
		EventIncidentOpened, EventIncidentResolved,
		EventConfigApplied, EventConfigSet, EventConfigPushed, EventConfigRollback,
		EventConfigDeliveryStep, EventConfigDeliverySucceeded, EventConfigDeliveryRolledBack, EventConfigDeliveryStopped,
		EventEnvironmentDownStarted, EventEnvironmentDown,
		EventServiceUnhealthy, EventServiceRecovered, EventDiskLow, EventDiskRecovered,
		EventSecretSet, EventServiceRestartRequested, EventServiceScaled, EventInstanceExec,
		EventJobStarted, EventJobSucceeded, EventJobFailed, EventJobLost, EventJobRequested, EventInstanceHostRestart,
	}
}
