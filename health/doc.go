// Package health runs an instance's readiness and liveness checks.
//
// A Tracker is the pure part: it turns a sequence of check results into a
// State with thresholds applied. A Monitor is the I/O part: it probes each
// watched instance on its interval and reports state changes.
package health
