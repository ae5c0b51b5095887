package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

// watchInterval is how often `rollout watch` polls by default.
const watchInterval = time.Second

func newWatch(e *env) *cobra.Command {
	var every time.Duration
	cmd := e.serviceCommand("watch SERVICE", "Follow a canary or parallel run until it is promoted or rolled back",
		"watch follows a service's canary or parallel run in flight: it polls the\n"+
			"service and prints a line, starting with the time, for each change.\n"+
			"For a canary: a step or weight, a header route, a pause, each new\n"+
			"measurement of each metric labelled with its analysis ([background],\n"+
			"[step 4], or both when they took the same reading), an analysis that\n"+
			"ends. For a parallel run:\n"+
			"mirroring that starts, the requests compared and differing, the verdict\n"+
			"so far, each field that starts to count against the candidate.\n"+
			"It exits 0 when the rollout is promoted and fails with the reason when it\n"+
			"is rolled back. Ctrl-C stops the watch, not the rollout.")
	cmd.Flags().DurationVar(&every, "interval", watchInterval, "how often to ask the server")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if every <= 0 {
			return fmt.Errorf("--interval must be positive, not %s", every)
		}
		return e.watchRollout(cmd.Context(), e.client(), args[0], every)
	})
	return cmd
}

// rolloutWatch follows one rollout for `rollout watch` without I/O:
// observe compares the service as polled at now with what was seen
// before, and returns the lines to print. done is true once the rollout
// ended: err is nil when it was promoted, and says why otherwise (rolled
// back, or replaced by another rollout).
type rolloutWatch interface {
	observe(s api.Service, now time.Time) (lines []watchLine, done bool, err error)
}

// watchFor picks what `rollout watch` follows on s, and names it.
func watchFor(s api.Service) (w rolloutWatch, what string, err error) {
	switch {
	case parallelInFlight(s):
		return newParallelWatch(s), "the parallel run of " + s.Name, nil
	case inFlight(s):
		return newCanaryWatch(s), "the canary of " + s.Name, nil
	case parallelIsLatest(s):
		return nil, "", fmt.Errorf("service %s has no parallel run in flight: %s", s.Name, noParallelReason(s))
	}
	return nil, "", fmt.Errorf("service %s has no canary in flight: %s", s.Name, noCanaryReason(s))
}

// watchRollout polls the service every interval and prints what changed
// in its canary or parallel run, until it ends or ctx is done.
func (e *env) watchRollout(ctx context.Context, c *client.Client, name string, every time.Duration) error {
	s, w, what, err := awaitRollout(ctx, c, name, every)
	if err != nil {
		return err
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		lines, done, err := w.observe(s, e.now())
		for _, l := range lines {
			fmt.Fprintln(e.stdout, l)
		}
		if done {
			return err
		}
		select {
		case <-ctx.Done():
			return stoppedWatching(what, ctx.Err())
		case <-tick.C:
		}
		if s, err = c.Service(ctx, name); err != nil {
			return stoppedWatching(what, err)
		}
	}
}

// stoppedWatching says why the watch ended before the rollout (what)
// did.
func stoppedWatching(what string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stopped watching; %s goes on: %w", what, err)
	}
	return fmt.Errorf("watch %s: %w", what, err)
}

// awaitRollout finds the rollout to watch. Right after `slipway apply`
// the operation may not have started the service's rollout yet: while
// an active operation changes the service, it asks again (for at most
// startWait) before saying there is nothing to watch.
func awaitRollout(ctx context.Context, c *client.Client, name string, every time.Duration) (api.Service, rolloutWatch, string, error) {
	deadline := time.Now().Add(startWait)
	for {
		s, err := c.Service(ctx, name)
		if err != nil {
			return s, nil, "", err
		}
		w, what, err := watchFor(s)
		if err == nil || time.Now().After(deadline) || !changing(ctx, c, s) {
			return s, w, what, err
		}
		select {
		case <-ctx.Done():
			return s, nil, "", ctx.Err()
		case <-time.After(min(every, 100*time.Millisecond)):
		}
	}
}

// startWait bounds how long watch waits for an operation to start the
// service's rollout.
const startWait = 10 * time.Second

// changing reports whether an active operation moves the service to
// another revision than s, as read, has: s is then older than the
// operation's change (not started yet, or started since s was read).
func changing(ctx context.Context, c *client.Client, s api.Service) bool {
	ops, err := c.Operations(ctx, true)
	if err != nil {
		return false
	}
	for _, op := range ops {
		for _, ch := range op.Changes {
			if ch.Service == s.Name && ch.To != 0 && ch.To != s.Revision {
				return true
			}
		}
	}
	return false
}
