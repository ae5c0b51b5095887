// Package main, the command foundation, measures the foundation of Slipway's local platform
// against its floor, bare exec, and prints one table:
//
//   - apply -> N/N ready: wall time from POST /v1/apply to the moment
//     GET /v1/services shows every instance ready, for a fresh deploy (a
//     fresh server and data directory per run), next to the time the same
//     N processes take to answer /healthz when started with exec alone;
//   - ready - slowest instance start: how long after the last instance
//     process started Slipway reported it ready (the target is two
//     readiness intervals);
//   - the server's idle RSS and CPU with many instances running, and one
//     instance's RSS for scale.
//
// Run it from the module root:
//
//	go run ./bench/foundation [-runs 5] [-instances 10] [-idle 30] [-idle-cpu 10s] [-worktree]
//
// It measures the committed HEAD unless -worktree is given: the checkout
// may be shared, and someone's half-made edit is not what to measure.
//
// Every wait is bounded; the servers and every process they or the
// benchmark started are stopped before it exits, also on failure. It exits
// non-zero when a measurement could not be taken.
package main
