// Package main, the command flags, measures how Slipway serves feature flags (issue 5,
// "Measured"): OFREP evaluations over loopback under load, bulk
// evaluation with and without If-None-Match, memory and apply time with
// 10,000 flags, the time a flag change takes to reach a client, and the
// in-process hot path, with flagd (open-feature/flagd) as the named peer
// where it can be built. It prints one table.
//
// Run it from the module root:
//
//	go run ./bench/flags [-d 5s] [-conns 16,64] [-changes 20] [-many 10000] [-worktree]
//	go run ./bench/flags -flagd /path/to/flagd        # a flagd built elsewhere
//
// It builds ./cmd/slipway and ./bench/flags/flagsproc of the committed
// HEAD (-worktree: the working tree) into a temporary directory with
// benchkit.Workspace, and tries `go install` of -flagd-module (default
// github.com/open-feature/flagd/flagd@latest) into it. Every server is a
// real `slipway server` (fresh --data, API and router on free loopback
// ports, --flag-key, one small service from `slipway example-app`
// because a slipway.yaml needs one) in its own process group; flags are
// applied as a slipway.yaml with `slipway apply -f`. Every wait and
// every helper run is bounded, and the whole run by -timeout; servers,
// their instances and flagd are stopped by process group at the end,
// also on failure or Ctrl-C, and the temporary directory is removed.
// Progress goes to stderr, the table to stdout.
//
// # The flags
//
// The benchmark flag, new-checkout, is flags/bench_test.go's: two CEL
// rules (`ctx.country == "NL" && ctx.plan in ["pro", "team"]`,
// `ctx.email.endsWith("@shop.example")`) and a 25/75 split. Every
// request's context is {targetingKey user-N, country DE, plan pro, email
// ann@example.com}, N cycling over 1,024 subjects: no rule matches, so
// both rules and the split run (reason SPLIT). Package flagspec writes
// these definitions once for the server, the helper and flagd's JSON.
//
// # The lines
//
//   - OFREP 1 flag, N conns: POST /ofrep/v1/evaluate/flags/new-checkout
//     on a server holding -bulk-flags flags (the benchmark flag and 99 of
//     its shape), from a Go load generator in this process: N
//     connections, each a goroutine writing the next prepared HTTP/1.1
//     request as soon as the last answer was read (net/http's parser,
//     keep-alive). -warmup uncounted, then -d counted: req/s is answers
//     to requests started in the window over -d, p50/p99 are their write
//     to end-of-body times, server CPU is the server's utime+stime over
//     the window (/proc/PID/stat) per request. Any answer other than 200
//     is an ERROR in the cell. The generator shares the two cores with
//     the server: the numbers are the pair's, as a client on the same
//     host would see them. The flagd column is the same load against
//     flagd's OFREP port with the same flag in flagd's format (JSONLogic
//     `if`, `ends_with`, `fractional`), measured right after Slipway's.
//   - OFREP bulk, 100 flags -> 200: POST /ofrep/v1/evaluate/flags (every
//     flag evaluated and encoded), 64 contexts in turn.
//   - OFREP bulk, If-None-Match -> 304: the same requests, each naming the
//     ETag its context's answer had (fetched first): nothing is
//     evaluated.
//   - change -> admin API answer / SSE data: line / flags/feed Changed():
//     the helper kills and enables the benchmark flag in turn (POST
//     /v1/flags/KEY/kill and /enable on the admin API, loopback, no
//     token), -changes times, 100ms apart. From just before sending each
//     POST: its answer; the first `data:` line on a raw event-stream
//     reader (GET /ofrep/v1/events, net/http and line splitting, opened
//     before the first change); and the Changed() channel of a
//     flags/feed Feed (fetch of the definitions and a compile of every
//     flag, after the same event) closing with the edit's revision. All
//     three watch the same change at once; median and max.
//   - in-process Set.Evaluate, 1 flag: flags/bench_test.go's
//     BenchmarkEvaluate reproduced with testing.Benchmark in the helper
//     (same flag, same context), built from the measured source; the
//     flagd column is flagd's published figure as issue 5 quotes it, not
//     a measure.
//   - in-process Set.EvaluateAll: every flag of the OFREP server's
//     slipway.yaml, compiled from that file: the bulk answer's
//     evaluation without HTTP.
//   - flags.Compile, 10,000 flags: wall time of one Compile (median of 3)
//     and the heap the compiled Set keeps (HeapAlloc after a GC, minus
//     before), as BenchmarkCompile measures it; each flag has conditions
//     of its own. For the benchmark shape, and for the one-CEL-rule shape
//     that the server gets.
//   - server RSS, 1 service, no flags: VmRSS of a fresh server after the
//     service is ready and 3s of quiet.
//   - apply 10,000 flags: `slipway apply -f` of a generated slipway.yaml
//     (the CLI checks every condition, then the server stores and
//     compiles); CLI is its wall time, served the time from starting it
//     until OFREP answers 200 for the last flag (polled every 5ms). One
//     rule per flag, because 10,000 flags of the benchmark shape are
//     2.2 MiB of YAML and a spec may be at most 1 MiB (spec.MaxSize): that
//     apply is attempted too, and its refusal printed.
//   - server RSS, 10,000 flags: VmRSS after the apply and 3s of quiet,
//     and its growth over the same server with no flags.
//   - the change lines again with 10,000 flags (-many-changes times).
//
// The flagd path has not run where this was written: the Go module
// proxy refused github.com/open-feature/flagd/flagd (403, "This module
// version is not available", for @latest and for pinned versions), so
// its command line (flagd start --uri file:F --port --ofrep-port
// --management-port --sync-port) and its flag JSON follow flagd's
// documentation, unverified; -flagd-module picks another version, -flagd
// a binary built elsewhere.
//
// The machine is shared: the header gives the load average before and
// after. Compare the lines of one run, not runs on different machines or
// under different load.
package main
