package cli

import (
	"fmt"

	"github.com/slipway-dev/slipway/api"

	"github.com/spf13/cobra"
)

// newRollout is `slipway rollout`: verbs on a rollout in flight, each an
// edit to desired state that the server's controllers act on.
func newRollout(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout",
		Short: "Act on a service's rollout in flight (promote)",
	}
	cmd.AddCommand(newPromote(e))
	return cmd
}

func newPromote(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "promote SERVICE",
		Short: "Switch all traffic to the service's ready new revision (blue/green)",
		Long: "promote tells a blue/green rollout waiting for promotion to switch all\n" +
			"traffic to the new revision at once. The previous revision keeps running\n" +
			"for the strategy's scaleDownDelay, so that a rollback is a traffic switch.",
		Args: cobra.ExactArgs(1),
	}
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		svc, err := e.client().Rollout(cmd.Context(), args[0], "promote", api.RolloutRequest{})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "promoting %s: revision %d takes all traffic once the controller acts (see \"slipway status %s\")\n",
			svc.Name, svc.Revision, svc.Name)
		return nil
	})
	return cmd
}
