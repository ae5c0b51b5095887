// Package main, the command anytime, measures the sequential judge of
// canary analysis (issue 19) against the fixed-interval judges it
// replaces as the default, on simulated canaries: how often each fails a
// canary as good as stable, how soon each catches a bad one, how soon
// each passes a good one, and what the sequential judge costs per
// observation.
//
// A simulated canary gets requests as a Poisson process at -rate a second
// (50), -weight (10%) of them routed to the canary; each request fails
// with its side's error rate and takes a log-normal latency (median 20ms,
// sigma 0.5; the canary's multiplied by a scenario's factor), counted in
// the router's latency bins (router/metrics). The judges see exactly
// what they see in the server:
//
//   - sequential: analysis.CountTest on the errors (successRate) and
//     analysis.QuantileTest on a latency quantile, fed every 100ms tick
//     (rollout.SequentialTick) with the tick's counts, and at once after
//     an error, as the server does (router/metrics.Errors), at the defaults:
//     alpha 0.05, beta 0.2 (-beta), minEffect 0.5, and a floor of 1% on the error rate. For false alarms they are looked at
//     after every single observation, which is what anytime-valid means.
//   - interval threshold: successCondition "result >= 0.99" on the
//     canary's success rate over the last interval (5s), the judge the
//     bench/canary scenario uses (issue 4's default setup).
//   - interval compare: analysis.Compare (Mann-Whitney U, confidence
//     0.95, minEffect 0.5, 10 samples a side) on per-second samples since
//     the analysis began, every interval: compare: baseline with judge:
//     interval.
//
// A judgement's time is when its judge decides (the end of the tick or
// interval); the server then applies it in the same pass (see bench/canary
// for the end-to-end time through real processes). A canary is watched
// for the analysis deadline, -deadline (5m); an analysis step passes with
// 3 passing measurements for the interval judges (the default count) and
// with one decision for the sequential judge.
//
// Run it from the module root:
//
//	go run ./bench/anytime                  # 2,000 A/A canaries; about 9 min on 2 busy cores
//	go run ./bench/anytime -canaries 200 -runs 100
//
// The tables go to stdout, progress to stderr. TestShortForm runs a small
// version in CI.
package main
