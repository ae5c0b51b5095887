// Package main, the command chaos, is Slipway's chaos suite as a benchmark (package
// bench/chaos/monkey does the work): rollouts of every strategy cut by
// kill -9 of the server at random moments, instances stopped with
// SIGSTOP, a data folder on a full disk; after each, the invariants are
// checked. It prints a table of counts: kills, rollouts by strategy and
// outcome, violations (each listed).
//
//	go run ./bench/chaos -rollouts 20      # 20 per strategy: 100 rollouts
//	go run ./bench/chaos -rollouts 2 -worktree
//
// The full-disk scenario mounts a small tmpfs (it needs root) and
// unmounts it at the end; -disk=false skips it.
package main
