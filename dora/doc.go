// Package dora computes the four DORA metrics of software delivery from
// Slipway's own event log, per service and environment, over a window
// [From, To), and rates them by the performance levels of the 2024
// Accelerate State of DevOps report. It is pure: Compute takes the events
// (store.Tx.ListEventsOfType with EventTypes gives exactly those it
// reads) and returns a Report; nothing here does I/O.
//
// The log is replayed from its beginning (history.go), because what
// happened before the window decides what happens in it: a commit that
// reached production before the window is no new change when it is
// deployed again, and a failure that began before it ends in it.
//
// # What counts
//
// A deployment is a rollout of a service to a new revision in an
// environment (an apply's or a retry's; not a `slipway rollback`, whose
// operation began with rollback.requested, nor the revert of a failed
// apply, which began with service.rollback.started). It succeeds when
// the service runs the revision (service.rollout.succeeded), and fails
// when the rollout does (service.rollout.failed: its readiness or
// progress deadline; service.canary.rolled_back and
// service.parallel_run.rolled_back: a failed analysis). Restoring an
// earlier revision is recovery, not a deployment. Only the outcomes
// matter, so service.rollout.started is not read: a fifth fewer events
// to decode.
//
//   - Deployment frequency: successful deployments per day and per week.
//   - Lead time for changes: commit time (the artifact's commitTime) to
//     running in production, for each commit the first time a successful
//     deployment carries it (a revision knows one commit: its own). Median
//     and 90th percentile.
//   - Change failure rate: deployments that failed, or that led to a
//     rollback (a person's `slipway rollback` while the revision they
//     brought runs, or the revert of their operation after another
//     service failed) or to an incident linked to them (`--caused-by`),
//     over all deployments, successful or failed.
//   - Failed deployment recovery time: from the failure (the failed
//     rollout, the rollback requested, the incident opened) to the
//     service healthy again: an earlier revision restored, a later
//     deployment succeeded (a fix), the service removed, or the incident
//     resolved, whichever comes first. Median.
//
// Each figure is windowed by its own moment: a deployment by when it
// succeeded or failed, a failure by when it began. A deployment fails at
// most once: an incident about a revision already rolled back is noted,
// not counted again. A rollback while a restored revision runs (a
// rollback of a rollback) blames no deployment: none brought that
// revision. An incident with no cause, or whose revision never ran in
// the environment, is counted as an incident but fails no deployment.
//
// Until environments exist every event belongs to DefaultEnvironment,
// which is production unless Query.Production names another.
package dora
