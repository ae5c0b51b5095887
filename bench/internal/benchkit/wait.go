package benchkit

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// Check looks once; it reports whether the wait is over, and a short
// description of what it saw for the timeout message. An error ends the
// wait at once.
type Check func(ctx context.Context) (done bool, seen string, err error)

// Poll runs c every interval until it is done, fails, or timeout passes,
// and returns the time of the look that saw it done.
func Poll(parent context.Context, what string, timeout, interval time.Duration, c Check) (time.Time, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	t := time.NewTicker(interval)
	defer t.Stop()
	seen := "nothing yet"
	for {
		done, s, err := c(ctx)
		if err != nil {
			return time.Time{}, fmt.Errorf("wait for %s: %w", what, err)
		}
		if done {
			return time.Now(), nil
		}
		if s != "" {
			seen = s
		}
		select {
		case <-ctx.Done():
			if parent.Err() != nil {
				return time.Time{}, fmt.Errorf("wait for %s: run bound or interrupt: %w (last seen: %.300s)", what, parent.Err(), seen)
			}
			return time.Time{}, fmt.Errorf("wait for %s: gave up after %s (last seen: %.300s): %w", what, timeout, seen, ctx.Err())
		case <-t.C:
		}
	}
}

// Sleep waits for d or until ctx ends, and returns ctx's error if it did.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("interrupted: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}

// Sweep stops every process whose working directory is under dir: SIGTERM
// to its group, then SIGKILL after grace.
func Sweep(dir string, grace time.Duration) error {
	deadline := time.Now().Add(grace)
	sig := syscall.SIGTERM
	for {
		pids := PIDsUnder(dir)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if sig == syscall.SIGKILL {
				return fmt.Errorf("instances under %s still alive after SIGKILL: %v", dir, pids)
			}
			sig, deadline = syscall.SIGKILL, time.Now().Add(grace)
		}
		SignalGroups(pids, sig)
		time.Sleep(50 * time.Millisecond)
	}
}
