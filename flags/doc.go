// Package flags evaluates feature flags: pure, with no I/O, the same
// code in the server (OFREP, package flags/ofrep), the CLI and services
// that embed it.
//
// Compile turns the app spec's flags and segments (package spec), with
// the run-time overrides the server stores (Override: enabled, killed,
// default, rollout), into an immutable Set. Every condition is compiled
// then, so a bad one is rejected when the flag is saved, never at
// evaluation. Set.Evaluate follows the evaluation order
//
//	disabled or killed -> DISABLED, the off variant (spec.Flag.OffVariant)
//	no prerequisite, rule or rollout -> STATIC, the default
//	a prerequisite not served its variant -> DEFAULT, the default
//	the first rule that matches -> TARGETING_MATCH, its variant
//	the percentage rollout -> SPLIT, the variant of the subject's bucket
//	otherwise -> DEFAULT, the default
//
// and answers with OFREP's reasons and error codes: FLAG_NOT_FOUND for
// an unknown key, TARGETING_KEY_MISSING when the rollout needs the
// stickiness attribute and the context lacks it. An error result has no
// value or variant: OFREP sends none, and OpenFeature clients then
// return the caller's default.
//
// Conditions are CEL over ctx, the context's attributes plus
// targetingKey. A condition that cannot be evaluated for a context (it
// reads an attribute the context lacks, or compares a string with a
// number) does not match; evaluation itself never fails because of the
// context. The common shapes of conditions run on a fast path compiled
// to Go (fast.go) that gives CEL's answers without allocating; the rest
// runs on CEL.
//
// Bucketing (bucket.go, docs/flags-bucketing.md) is stable: the same
// flag key and stickiness value land in the same bucket everywhere and
// forever, so raising a variant's share only adds subjects to it, and
// lowering it removes the most recently added first.
//
// Stale is the pure judgement of a flag past its class's lifetime; the
// server feeds it the times.
package flags
