// Package main, the command promotion, measures the promotion overhead
// of the environments issue: the time from a promotion's last gate
// passing to the target environment's rollout starting, and compares it,
// in the same run, with the same change made by a direct apply.
//
// One `slipway server` (fresh --data, API and router on free loopback
// ports) hosts the environments staging and prod of one service, order
// (./examples/order, one instance, readiness /healthz, rolling update),
// prod promoted from staging through one approval gate:
//
//	environments:
//	  staging: {}
//	  prod: {from: staging, gates: [{approval: {}}]}
//
// Both are created with `slipway apply --env staging|prod --wait`. Then,
// for each round, two changes are made to prod, one after the other
// (alternating which goes first), each once prod has converged (one ready
// instance of the new revision, the old one stopped) and after a short
// quiet pause:
//
//   - promotion: `slipway artifact push` of a new file (the order binary
//     with a few bytes appended, so every version has its own digest),
//     `slipway deploy --env staging` until staging runs it, `slipway
//     promote --from staging --to prod` until the promotion waits at its
//     approval gate; then the measured request, the approval
//     (POST /v1/services/order/approve?env=prod, the request `slipway
//     approve order --env prod` sends).
//   - direct apply: a new file is written where the spec's artifact
//     points, digested and uploaded (PUT /v1/artifacts/DIGEST); then the
//     measured request, POST /v1/apply?env=prod with the spec carrying
//     that digest (what `slipway apply --env prod` sends after its
//     upload).
//
// Each change is timed from the moment just before its request is sent
// (the bench's clock) and, for the promotion, also from the promotion's
// gatesPassedAt (the server's clock; both are the machine's wall clock)
// to three points on the server, read back from its API:
//
//	(a) the deploy operation exists in prod: the operation's createdAt
//	    (for a promotion the same instant as its deployStartedAt);
//	(b) prod's rollout starts: the service.rollout.started event of
//	    that operation;
//	(c) the first instance of the new revision is created: its
//	    instance.created event, the moment the rollout controller has
//	    placed it (before its process starts).
//
// What the numbers include. From the approval: its HTTP round trip over
// loopback, the handler's transaction on the hub (the default
// environment's store, which holds promotions) and its promotion.approved
// event in prod's store, the promotion key queued on the default
// environment's queue, one pass of the pipeline controller (read the
// promotion and staging's service, advance the gates, set gatesPassedAt;
// read the pushed version, one transaction in prod's store writing the
// gates_passed event, the revision, the operation and deploy.started;
// write the promotion back to the hub) and the operation queued on
// prod's queue. From there on both paths are the same: one pass of prod's
// operation controller (b), then one pass of its rollout controller (c).
// From the apply: its HTTP round trip, parsing and checking the spec,
// one transaction in prod's store (revision, operation, event), the
// operation queued; then the same (b) and (c). Every store is SQLite on
// the bench's temporary directory, so each transaction includes a
// commit to disk.
//
// The bench sends nothing for 200ms after a measured request, so that
// its polling (every 50ms, until prod has converged) does not compete
// with the path it measures for the machine's two cores. One line is
// outside the measure: how long after prod's operation.succeeded event
// the promotion itself is marked succeeded (its finishedAt), which is
// what `slipway pipeline status` and its ROLLOUT column go by.
//
// What they leave out: starting the CLI (a `slipway approve` or `slipway
// apply` process adds its own start; `slipway apply` also digests and
// uploads the 9 MB artifact, which the bench does before its clock
// starts, as the promotion's artifact was pushed before), the time spent
// waiting at gates, and the rollout itself (process start, readiness,
// drain), which is the same for both.
//
// Run it from the module root:
//
//	go run ./bench/promotion [-runs 10] [-warmup 1] [-quiet 300ms] [-timeout 5m] [-worktree]
//
// It measures the committed HEAD unless -worktree is given. Every wait
// is bounded, the whole run by -timeout; the server and every instance
// it started are stopped at the end, also on failure or Ctrl-C. Progress
// goes to stderr, the table to stdout.
package main
