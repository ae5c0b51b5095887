// Package rollout keeps each service at its desired state: it takes a
// service from its stable revision to its target revision (the rolling
// strategy, one safe step per pass), restarts crashed and unhealthy
// instances with backoff, and decides when a rollout has converged or
// missed its progress deadline.
//
// A pass is Reconcile(ctx, service): read the store and the driver,
// decide purely (workload.Decide and Assess), then apply the steps. Every
// state change is written with its event in one transaction. Nothing the
// controller needs lives only in memory: a new Controller over the same
// store and driver picks up where the last one stopped.
package rollout
