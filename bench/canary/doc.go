// Package main, the command canary, measures how fast Slipway rolls back a bad canary at
// default settings, and how many user requests fail meanwhile (issue 4,
// "Measured").
//
// Each run starts a fresh `slipway server` (fresh --data, API and router
// on free loopback ports) and deploys v1 of a shop service (3 instances
// of ./examples/order, readiness /healthz, routed at shop.localhost) with
// `slipway apply --wait`. Once the router serves v1, a fixed-rate client
// sends 50 requests per second through the router (a 20ms ticker, each
// request on its own goroutine with a 2s timeout: an open-loop client,
// as users are), and records for each answer its send time, status and
// the "version" of its JSON body. After a second of steady traffic it
// applies v2 with FAIL_RATE 0.2 (a fifth of its requests answer 500) as
// a canary with only what a user would write:
//
//	steps: [{setWeight: 10}, {pause: {}}]
//	analysis:
//	  metrics:
//	    - {name: success-rate, provider: router, metric: successRate, successCondition: "result >= 0.99"}
//
// so the analysis interval (5s) and failureLimit (0) are the defaults.
// It waits for the service.canary.rolled_back event (GET /v1/events),
// keeps the traffic going 2s more, then stops it and the server, and
// every instance process under the run's data directory.
//
// Time to rollback is measured twice: on the server, from the
// service.canary.step event "setWeight 10" to the rolled_back event; on
// the client, from the send time of the first request v2 answered to
// that of the last (a 500 is v2's: v1 never fails). Failed requests (5xx or no answer) from the apply to
// the end are set against weight x rate x error rate x time: over the
// measured time, and over one analysis interval, the least the judge
// needs to see the errors (0.1 x 50 x 0.2 x 5s = 5). The goal is a
// rollback under 10s.
//
// Each run is done once per judge of -judges (default both, alternating):
// interval, the success condition above; and sequential, the same canary
// with the one metric
//
//	metrics: [{name: errors, provider: router, metric: successRate, compare: baseline}]
//
// judged by the sequential judge at its defaults (issue 19: an
// anytime-valid test on every 100ms tick and at once after an error;
// goal: a median under 2s). A
// table puts the judges' medians side by side; a last one says where the
// sequential judge's time went: from the setWeight event to the canary's
// first request, to the canary error at which the judge crossed (from
// the crossedAt and canaryEvents of the rolled_back event's record), to
// the crossing, to the rollback pass, to the canary's last request.
//
// With -canary good it measures a good canary instead (issue 19's time to
// pass): v2 fails nothing and its steps are
//
//	steps: [{setWeight: 10}, {analysis: {}}, {pause: {}}]
//
// and each run's time is from the analysis step's event to the next
// step's: three passing 5s intervals for the interval judge, one
// decision for the sequential judge (its error rate bounded under the
// 1% floor at level 1-beta). Give it a -run-timeout of 150s.
//
// Run it from the module root:
//
//	go run ./bench/canary [-runs 3] [-rate 50] [-run-timeout 60s] [-worktree] [-judges interval,sequential] [-canary bad|good]
//
// It measures the committed HEAD unless -worktree is given: the checkout
// may be shared, and someone's half-made edit is not what to measure.
// Each run is bounded by -run-timeout; it is an error if the canary never
// took traffic, was promoted, or was not rolled back in time, or if v2
// still answered more than a second after the rollback. Progress goes to
// stderr, the table to stdout.
package main
