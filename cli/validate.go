package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

func newValidate(e *env) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "validate -f FILE",
		Short: "Check an app spec, locally and against the server",
		Long: "validate parses the app spec and checks its artifacts locally, reporting\n" +
			"every problem with its file and line. When a server is reachable it also\n" +
			"asks the server to validate the spec.",
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	addFileFlag(cmd, &file)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		s, c, err := e.sendable(cmd.Context(), file, false)
		var plan api.Plan
		if err == nil {
			plan, err = c.Validate(cmd.Context(), s.request)
		}
		var unreachable *client.UnreachableError
		if errors.As(err, &unreachable) {
			fmt.Fprintf(e.stderr, "note: validated locally only: %v\n", unreachable)
		} else if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, plan)
		}
		fmt.Fprintf(e.stdout, "%s is valid: app %s, %s\n", file, s.app.Name, plural(len(s.app.Services), "service"))
		return nil
	})
	return cmd
}

// addFileFlag adds -f/--file, the spec file, defaulting to slipway.yaml.
func addFileFlag(cmd *cobra.Command, file *string) {
	cmd.Flags().StringVarP(file, "file", "f", "slipway.yaml", "app spec file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
}

// plural formats n and a noun with an "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
