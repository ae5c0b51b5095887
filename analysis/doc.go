// Package analysis judges the metrics of a release: it turns observations
// (a single value, or canary and baseline samples) into explained verdicts,
// and tallies verdicts into the phase of an analysis.
//
// Everything here is pure: no I/O, no clock, no goroutines. Providers that
// fetch numbers (the router, Prometheus, HTTP checks) and the controller that
// schedules measurements live elsewhere and call in.
//
// The judges:
//
//   - [Condition]: a CEL expression over the variable result (a double),
//     compiled once and evaluated per measurement, e.g. "result >= 0.99";
//     [Check] turns one value and a condition into a [Measurement].
//   - [Compare]: canary against baseline with a two-sided Mann-Whitney U test
//     ([MannWhitneyU]) at a set confidence, plus a minimum relative effect and
//     an absolute floor, so that 5ms -> 10ms can pass while a doubled error
//     rate fails. Too few samples is [Inconclusive]: not enough data is not a
//     pass.
//
// Each judgement is a [Measurement] carrying its [Verdict], the statistics it
// rests on and one plain-language reason, so that a rollout can explain why
// it was promoted or rolled back. A [Tally] folds measurements into a [Phase]
// under [Limits] with Argo Rollouts' semantics (failure, inconclusive and
// consecutive-error limits).
package analysis
