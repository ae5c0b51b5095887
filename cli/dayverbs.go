package cli

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

func newRestart(e *env) *cobra.Command {
	var (
		wait    bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "restart SERVICE [--wait]",
		Short: "Restart every instance of a service, a few at a time, with no downtime",
		Long: "restart replaces every instance of the service's current revision by a new one,\n" +
			"as a rolling update does (a new one ready before an old one leaves rotation and\n" +
			"is drained). It is recorded as an event, not a new revision. Refused while the\n" +
			"service is mid-rollout.",
		Args: cobra.ExactArgs(1),
	}
	addWaitFlags(cmd, &wait, &timeout)
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		c := e.client()
		before, err := c.Restart(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "restarting %s: %d instances of revision %d to replace\n", args[0], len(before.Instances), before.Revision)
		if !wait {
			return nil
		}
		return waitReplaced(cmd.Context(), c, before, timeout)
	})
	return cmd
}

// waitReplaced waits until none of before's instances is left and the
// service has as many ready instances as it wants.
func waitReplaced(ctx context.Context, c *client.Client, before api.Service, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		svc, err := c.Service(ctx, before.Name)
		if err == nil && svc.Ready >= svc.Desired && !slices.ContainsFunc(svc.Instances, func(in api.Instance) bool {
			return slices.ContainsFunc(before.Instances, func(old api.Instance) bool { return old.ID == in.ID })
		}) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: not every instance was replaced within %s (slipway status)", before.Name, timeout)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func newScale(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scale SERVICE N",
		Short: "Run N instances of a service until an apply changes its instances",
		Long: "scale changes a service's instances at run time, recorded as an event, not a new\n" +
			"revision. It holds until an apply changes the spec's instances (plan says so).",
		Args: cobra.ExactArgs(2),
	}
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		n, err := strconv.Atoi(args[1])
		if err != nil {
			return fmt.Errorf("instances %q: want a whole number, like 3", args[1])
		}
		svc, err := e.client().Scale(cmd.Context(), args[0], n)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s scaled to %d instances (until an apply changes instances)\n", svc.Name, svc.Desired)
		return nil
	})
	return cmd
}
