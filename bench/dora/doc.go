// Package dorabench measures the DORA metrics over a large event log in
// the real SQLite store: the read the API does (the events of the types
// dora reads, found by the store's type index) and dora.Compute.
//
//	go test -run '^$' -bench . -benchtime 10x ./bench/dora/
//	go test -run QueryPlan -v ./bench/dora/    # the store's plan
//
// Two logs of 100,000 events spread over 90 days, 20 services: a
// realistic one, where each deployment also writes its operation's and
// its instances' events (about one event in eight is one dora reads), and
// the worst case, where every event is one dora reads. Each is measured
// twice: a full replay (the first read after a server starts), and, as
// the API does after that, with the replay kept (dora.Log): a read folds
// in only the events appended since the last (10 deployments per read
// here) and measures the window over the whole history. Besides the wall
// time, each reports the CPU time the process spent per run (cpu-ms/op,
// for the kept rows including the untimed appends), which holds on a
// machine shared with other work.
package dorabench
