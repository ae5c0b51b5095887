package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// newEnvCmd is `slipway env list`.
func newEnvCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "env", Short: "List the environments the server hosts"}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the environments, their routers and services",
		Args:  cobra.NoArgs,
	}
	out := addOutputFlag(list)
	list.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		envs, err := e.client().Environments(cmd.Context())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, envs)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ENVIRONMENT\tROUTER\tSERVICES\t")
		for _, en := range envs {
			name := en.Name
			if en.Production {
				name += " (production)"
			}
			if en.Down {
				name += " (going down)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", name, en.Router, orDash(strings.Join(en.Services, ", ")))
		}
		return tw.Flush()
	})
	cmd.AddCommand(list)
	return cmd
}
