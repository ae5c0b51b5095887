package gctune

import (
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	if p, l := Apply(); p != Percent || l != MemoryLimit {
		t.Fatalf("defaults: got %d, %d; want %d, %d", p, l, Percent, MemoryLimit)
	}

	// Set by the environment: left as the runtime has it, and reported.
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(64 << 20)
	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "64MiB")
	if p, l := Apply(); p != 150 || l != 64<<20 {
		t.Fatalf("from the environment: got %d, %d; want 150, %d", p, l, 64<<20)
	}
}
