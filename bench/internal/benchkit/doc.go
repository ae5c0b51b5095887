// Package benchkit is what the benchmark programs under bench/ share: a
// workspace that builds the programs under test from the committed HEAD
// (or the working tree) into a temporary directory; child processes started
// in their own process group and stopped SIGTERM-then-SIGKILL; readings of
// /proc (CPU time, start time, RSS, process trees); a description of the
// machine the numbers were taken on; and the main and serve loops of the
// small programs a benchmark runs.
//
// It is for measuring, not for Slipway itself: nothing outside bench/
// imports it.
package benchkit
