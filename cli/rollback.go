package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newRollback(e *env) *cobra.Command {
	var (
		req     api.RollbackRequest
		wait    bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "rollback SERVICE [--to N]",
		Short: "Make an earlier revision of a service current again",
		Long: "rollback makes an earlier revision of a service the target again: by\n" +
			"default the one before the current stable revision.",
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().IntVar(&req.To, "to", 0, "revision to roll back to (default: the one before the stable revision)")
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why, recorded in the event log")
	addWaitFlags(cmd, &wait, &timeout)
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		c := e.client()
		op, err := c.Rollback(cmd.Context(), args[0], req)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "rolling back %s to revision %d (operation %d)\n",
			args[0], rollbackTarget(op, args[0], req.To), op.ID)
		if !wait {
			return nil
		}
		return e.waitFor(cmd.Context(), c, op, timeout)
	})
	return cmd
}

// rollbackTarget is the revision the operation moves service to.
func rollbackTarget(op api.Operation, service string, asked int) int {
	for _, ch := range op.Changes {
		if ch.Service == service {
			return ch.To
		}
	}
	return asked
}
