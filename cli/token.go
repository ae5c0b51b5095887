package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// newToken is `slipway token create|list|revoke`: the API's named
// tokens (admins only).
func newToken(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke API tokens",
		Long: "Tokens let a program or a person use the TCP API with a role:\n" +
			"  viewer     reads\n" +
			"  deployer   also applies, deploys, promotes, approves, cancels, steers rollouts, rolls back\n" +
			"  admin      also changes flags, takes environments down, manages tokens\n" +
			"  evaluator  only evaluates flags (OFREP)\n" +
			"What a token does is recorded as token:NAME. Its value is shown once, at creation.",
	}
	cmd.AddCommand(newTokenCreate(e), newTokenList(e), newTokenRevoke(e))
	return cmd
}

func newTokenCreate(e *env) *cobra.Command {
	var role string
	cmd := &cobra.Command{
		Use:   "create NAME --role viewer|deployer|admin|evaluator",
		Short: "Create a token and print its value (shown this once)",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&role, "role", "", "viewer, deployer, admin or evaluator (required)")
	_ = cmd.MarkFlagRequired("role")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		t, err := e.client().CreateToken(cmd.Context(), args[0], role)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, t.Value)
		fmt.Fprintf(e.stderr, "token %s (%s) created; its value above is shown this once: keep it in a secret store\n", t.Name, t.Role)
		return nil
	})
	return cmd
}

func newTokenList(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List tokens: names, roles, created, last used (never values)", Args: cobra.NoArgs}
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		ts, err := e.client().Tokens(cmd.Context())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, ts)
		}
		printTokens(e, ts)
		return nil
	})
	return cmd
}

func printTokens(e *env, ts []api.Token) {
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tBY\tLAST USED")
	for _, t := range ts {
		used := "-"
		if !t.LastUsedAt.IsZero() {
			used = t.LastUsedAt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, t.CreatedAt.Local().Format(time.DateTime), orDash(t.CreatedBy), used)
	}
	_ = tw.Flush()
}

func newTokenRevoke(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "revoke NAME", Short: "Revoke a token: the server refuses it from now on", Args: cobra.ExactArgs(1)}
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if err := e.client().RevokeToken(cmd.Context(), args[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %s revoked\n", args[0])
		return nil
	})
	return cmd
}
