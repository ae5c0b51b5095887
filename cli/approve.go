package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// newApprove is `slipway approve S --env prod`.
func newApprove(e *env) *cobra.Command {
	var req api.ApproveRequest
	cmd := &cobra.Command{
		Use:   "approve SERVICE --env ENV [--reject --reason TEXT]",
		Short: "Approve (or reject) the promotion waiting for approval in an environment",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&req.By, "by", who(), "ignored: the server records who approves from the credentials (token:NAME or uid:N (user))")
	cmd.Flags().BoolVar(&req.Reject, "reject", false, "reject it instead: the promotion fails")
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why (with --reject)")
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if e.envName == "" {
			return errors.New("--env is required: the environment the promotion waits to enter")
		}
		p, err := e.client().Approve(cmd.Context(), args[0], req)
		if err != nil {
			return err
		}
		verb := "approved"
		if req.Reject {
			verb = "rejected"
		}
		fmt.Fprintf(e.stdout, "promotion %d of %s version %s into %s %s by %s\n", p.ID, p.Service, p.Version, p.To, verb, approver(p))
		return nil
	})
	return cmd
}

// approver is who the server recorded as approving p (its approval
// gate's), from the credentials; "-" when it names none.
func approver(p api.Promotion) string {
	for _, g := range p.Gates {
		if g.ApprovedBy != "" {
			return g.ApprovedBy
		}
	}
	return "-"
}
