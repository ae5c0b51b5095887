// Package gctune sets the garbage collector of a process that proxies
// user traffic (slipway server, whose router shares the process).
//
// With Go's default (GOGC=100) the collector runs about every 4 MB the
// router allocates under load, and its assists and pauses show in the
// tail latency: measured with bench/router, the router's p99 was 1.35x
// to 1.54x nginx's at GOGC=100 and 1.34x at GOGC=400, for the same
// throughput. A larger GOGC trades memory for fewer collections; the
// soft memory limit keeps that trade bounded (the collector works harder
// as the heap nears it).
package gctune

import (
	"os"
	"runtime/debug"
)

// Settings a server gets unless GOGC or GOMEMLIMIT say otherwise.
const (
	Percent     = 400
	MemoryLimit = 1 << 30 // bytes: a soft limit, not a cap
)

// Apply sets Percent and MemoryLimit, each unless its environment
// variable (GOGC, GOMEMLIMIT) is set, and returns the settings in effect
// (percent -1 is GOGC=off).
func Apply() (percent int, limit int64) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
	percent = debug.SetGCPercent(100) // reads it: set it back at once
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1) // a negative limit only reads it
}
