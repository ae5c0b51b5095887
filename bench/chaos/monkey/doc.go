// Package monkey is Slipway's chaos suite: it drives a real server (the
// slipway binary, real processes, real SQLite, real HTTP) through
// rollouts of every strategy while killing it with -9 at random moments,
// stopping instances with SIGSTOP and filling its disk, and checks after
// each that nothing broke: no instance twice, no orphan process, no
// operation stuck, a sound store (SQLite's integrity and foreign-key
// checks, store.Check's invariants), state and events agreeing.
//
// bench/chaos prints its counts as a table; e2e/chaos_test.go runs a
// short form in CI. Every process it ends, it started (by PID or by the
// process group of an instance of a data folder it made).
package monkey
