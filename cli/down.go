package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// newDown is `slipway down --env staging`.
func newDown(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "down --env ENV",
		Short: "Take an environment down: stop its controllers, then drain and stop its instances",
		Long: "down records the environment going down (who, when); the server then\n" +
			"suspends desired-state management for the environment (no controller may\n" +
			"start an instance meanwhile), takes every instance out of the router's\n" +
			"rotation, lets its requests finish, and stops it; a restarted server\n" +
			"carries on. down waits for that unless --no-wait. The services' history\n" +
			"stays; an apply brings the environment back.",
		Args: cobra.NoArgs,
	}
	by, noWait := who(), false
	cmd.Flags().StringVar(&by, "by", by, "who takes it down, recorded with the request")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "return once the server recorded the request, without waiting for the environment to be down")
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		if e.envName == "" {
			return errors.New("--env is required: the environment to take down")
		}
		c := e.client()
		if err := c.Down(cmd.Context(), by); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "environment %s is going down\n", e.envName)
		if noWait {
			return nil
		}
		if err := c.WaitDown(cmd.Context(), 200*time.Millisecond); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "environment %s is down\n", e.envName)
		return nil
	})
	return cmd
}
