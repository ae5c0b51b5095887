package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/client"
)

// watchInterval is how often `rollout watch` polls by default.
const watchInterval = time.Second

func newWatch(e *env) *cobra.Command {
	var every time.Duration
	cmd := e.serviceCommand("watch SERVICE", "Follow a canary until it is promoted or rolled back",
		"watch follows a service's canary in flight: it polls the service and\n"+
			"prints a line, starting with the time, for each change: a step or weight,\n"+
			"a header route, a pause, each new measurement of each metric, an analysis\n"+
			"that ends. It exits 0 when the canary is promoted and fails with the\n"+
			"reason when it is rolled back. Ctrl-C stops the watch, not the canary.")
	cmd.Flags().DurationVar(&every, "interval", watchInterval, "how often to ask the server")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if every <= 0 {
			return fmt.Errorf("--interval must be positive, not %s", every)
		}
		return e.watchCanary(cmd.Context(), e.client(), args[0], every)
	})
	return cmd
}

// watchCanary polls the service's canary every interval and prints what
// changed, until the canary ends or ctx is done.
func (e *env) watchCanary(ctx context.Context, c *client.Client, name string, every time.Duration) error {
	s, err := c.Service(ctx, name)
	if err != nil {
		return err
	}
	if !inFlight(s) {
		return fmt.Errorf("service %s has no canary in flight: %s", name, noCanaryReason(s))
	}
	w := newCanaryWatch(s)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		lines, done, err := w.observe(s, time.Now())
		for _, l := range lines {
			fmt.Fprintln(e.stdout, l)
		}
		if done {
			return err
		}
		select {
		case <-ctx.Done():
			return stoppedWatching(name, ctx.Err())
		case <-tick.C:
		}
		if s, err = c.Service(ctx, name); err != nil {
			return stoppedWatching(name, err)
		}
	}
}

// stoppedWatching says why the watch ended before the canary did.
func stoppedWatching(name string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stopped watching; the canary of %s goes on: %w", name, err)
	}
	return fmt.Errorf("watch the canary of %s: %w", name, err)
}
