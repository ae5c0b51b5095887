// Package autoscale decides how many instances a revision with a
// `scale:` section should run, from what the router observed: requests
// in flight, requests per second, or CPU use, per instance against the
// target. It does no I/O and reads no clock: rollout.Autoscaler feeds
// it observations and asks for a decision, and writes the count to the
// store (desired state), where the service controller does the starting
// and stopping.
//
// The model is Knative's KPA: a stable window (60s unless the spec's
// scale.stableWindow says) averages the load, a short panic window (6s,
// scale.panicWindow) catches bursts; when the panic window wants at
// least scale.panicThreshold times (2) the instances that are ready,
// the scaler panics: it
// scales to the panic window's count at once and never down until the
// burst has been gone for a stable window. Outside panic, a higher count
// must be wanted for the spec's stabilization.up and a lower one for
// stabilization.down (the lowest recommendation over the up window, the
// highest over the down window, as a Kubernetes HPA's behavior).
//
// Scale to zero: with min 0, a revision at rest (no rollout) that saw no
// request for idleAfter goes to 0 and stays there until Wake (the router
// held a request), which takes it back to 1 at once.
package autoscale
