package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"
)

func newLogs(e *env) *cobra.Command {
	var (
		follow bool
		lines  int
	)
	cmd := &cobra.Command{
		Use:   "logs SERVICE [-f]",
		Short: "Print a service's logs",
		Long:  "logs prints the last lines of every instance of a service, as \"instance | line\".",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines")
	cmd.Flags().IntVar(&lines, "lines", 100, "how many recent lines to print")
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		err := e.client().Logs(cmd.Context(), args[0], lines, follow, e.stdout)
		if follow && errors.Is(err, context.Canceled) {
			return nil // the user stopped following
		}
		return err
	})
	return cmd
}
