// Package main, the command router, measures Slipway's L7 router against nginx, both in front
// of the same small backend, and prints one table: requests/s, p50 and p99
// latency (wrk --latency) and the proxy's CPU time per request, for
//
//   - direct: wrk straight to the backend (the floor);
//   - nginx: upstream keepalive, one worker, and as many workers as CPUs
//     (worker_processes auto, as Debian ships it): the bar;
//   - the slipway router, one route to the backend;
//   - the slipway router with a 90/10 weighted split between two
//     revisions (both on the same backend, so only the split's cost shows);
//   - with -base REV, the slipway router as it is at the git revision
//     REV (plain and split), so that a change is measured against what it
//     changes in the same rounds, under the same load;
//   - with -router-gogc N, the slipway router again with GOGC=N in its
//     environment (the rows above run as slipway server does: GOGC=400
//     with a 1 GiB soft memory limit, internal/gctune; N=100 shows Go's
//     default).
//
// After the table it prints the top functions of a CPU profile of the
// router taken during its (unsplit) run.
//
// Run it from the module root (it needs nginx and wrk on PATH):
//
//	go run ./bench/router [-d 10s] [-c 64] [-t 1] [-rounds 1] [-base REV] [-router-gogc N] [-keep-profile FILE] [-worktree]
//
// It measures the router of the committed HEAD unless -worktree is given:
// the checkout may be shared, and someone's half-made edit is not what to
// measure. The backend, nginx and the router each run as their own child
// process, so each one's CPU time is its own. Every wait is bounded; every
// child is stopped before it exits, also on failure or Ctrl-C. It exits
// non-zero when a measurement could not be taken.
package main
