// Package main, the command autoscale, measures Slipway's autoscaler with real processes
// and real load on loopback, and prints a table:
//
//	go run ./bench/autoscale [-runs 5] [-worktree] [-skip-step]
//
// Cold start: a service with `scale: {min: 0}` is left idle until it is
// scaled to zero (idleAfter 1s), then one request is sent through the
// router and timed until its answer: the router holds it, the
// autoscaler writes a count of 1, the controller starts an instance,
// its readiness check passes, the router serves it. Beside it, the
// floor: the same command started with plain exec into a cgroup as an
// instance is, /healthz polled every 1ms (as slipway checks a starting
// instance) until it answers, then the same request; each cold start is
// followed by a floor. Both for a Go binary (the example order service)
// and a Python service (python3's http.server); median and max over
// -runs.
//
// Step: the Python service (each request holds a lock for 2ms: about
// 500 req/s per instance, 5 times the target, as a real target leaves
// headroom), `target: {rps: 100}`, gets 10 req/s for 15s
// (the steady p99), then 500 req/s for 45s, open loop (each request
// sent on schedule, whatever the answers do). It reports the time from
// the step until 5 instances are ready (the capacity 500 req/s needs at
// the target), the share of requests sent between the step and that
// moment whose latency passed twice the steady p99, and failed
// requests. Then the rate drops back to 10 req/s for 100s: it reports
// when each scale-down happened after the drop (the stable window is
// 60s, stabilization.down 10s) and the requests that failed meanwhile.
//
// It builds ./cmd/slipway and ./examples/order of the committed HEAD
// (-worktree: the working tree) into a temporary directory; every
// server and instance is stopped at the end, also on failure or Ctrl-C.
package main
