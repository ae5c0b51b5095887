package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// newDown is `slipway down --env staging`.
func newDown(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "down --env ENV",
		Short: "Take an environment down: stop its controllers, then drain and stop its instances",
		Long: "down first suspends desired-state management for the environment (no\n" +
			"controller may start an instance meanwhile), then takes every instance out\n" +
			"of the router's rotation, lets its requests finish, and stops it. The\n" +
			"services' history stays; an apply brings the environment back.",
		Args: cobra.NoArgs,
	}
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		if e.envName == "" {
			return errors.New("--env is required: the environment to take down")
		}
		if err := e.client().Down(cmd.Context()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "environment %s is down\n", e.envName)
		return nil
	})
	return cmd
}
