package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

func newApply(e *env) *cobra.Command {
	var (
		file    string
		wait    bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "apply -f FILE [--wait]",
		Short: "Make the app spec the desired state",
		Long: "apply checks the app spec locally, uploads its artifacts, and makes it the\n" +
			"desired state of the app. With --wait it follows the operation until every\n" +
			"service has converged, or the operation has rolled back.",
		Args: cobra.NoArgs,
	}
	addFileFlag(cmd, &file)
	addWaitFlags(cmd, &wait, &timeout)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		s, c, err := e.sendable(cmd.Context(), file, true)
		if err != nil {
			return err
		}
		resp, err := c.Apply(cmd.Context(), s.request)
		if err != nil {
			return err
		}
		printPlan(e.stdout, resp.Plan)
		if resp.Plan.Flags != nil || resp.Plan.Segments != nil {
			fmt.Fprintln(e.stdout, "The flag changes are served from now on.")
		}
		if resp.Operation == nil {
			return nil
		}
		fmt.Fprintf(e.stdout, "operation %d started\n", resp.Operation.ID)
		if !wait {
			return nil
		}
		return e.waitFor(cmd.Context(), c, *resp.Operation, timeout)
	})
	return cmd
}

// addWaitFlags adds --wait and --timeout.
func addWaitFlags(cmd *cobra.Command, wait *bool, timeout *time.Duration) {
	cmd.Flags().BoolVar(wait, "wait", false, "follow the operation until it ends; fail if it does not succeed")
	cmd.Flags().DurationVar(timeout, "timeout", 10*time.Minute, "with --wait, how long to wait")
}
