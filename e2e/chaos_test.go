package e2e

// The chaos suite's short form (bench/chaos runs the long one): two
// rollouts of every strategy, each cut by kill -9 of the server at a
// random moment and resumed by a server started over the same data, and
// one instance stopped with SIGSTOP; after each, the invariants (no
// duplicate or orphan process, no operation stuck, a sound store, state
// and events agreeing).

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/bench/chaos/monkey"
)

func TestChaosKill9EveryStrategy(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var log strings.Builder
	c, err := monkey.Run(ctx, monkey.Config{Slipway: bin.slipway, Order: bin.order, Dir: t.TempDir(),
		Strategies: monkey.Strategies, Rollouts: 2, MaxDelay: 2 * time.Second, Stops: 1,
		Rand: rand.New(rand.NewPCG(seed, 1)), Log: &log})
	t.Logf("chaos:\n%s%d kills, %d stopped, %d replaced", log.String(), c.Kills, c.Stopped, c.Replaced)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range monkey.Strategies {
		if got := c.Outcomes[s][s.Expected()]; got != 2 {
			t.Errorf("%s: outcomes %v; want 2 %s", s, c.Outcomes[s], s.Expected())
		}
	}
	for _, v := range c.Violations {
		t.Errorf("violation: %s", v)
	}
}

// TestChaosFullDisk runs a server on a full small tmpfs (the suite mounts
// and unmounts it: root only): an apply is refused saying the disk is
// full, the server stays up, and once space is back the version rolls
// out with nothing committed lost.
func TestChaosFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var c monkey.Counts
	err := monkey.DiskFull(ctx, monkey.Config{Slipway: bin.slipway, Order: bin.order, Dir: t.TempDir()}, &c)
	t.Logf("full disk:\n%s", strings.Join(c.DiskFull, "\n"))
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("no tmpfs for the full disk: %v", err) // root without CAP_SYS_ADMIN (a container)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DiskFull) < 2 || !strings.Contains(c.DiskFull[1], "disk is full") {
		t.Errorf("an apply on a full disk: want a refusal saying the disk is full; got %q", c.DiskFull)
	}
	for _, v := range c.Violations {
		t.Errorf("violation: %s", v)
	}
}
