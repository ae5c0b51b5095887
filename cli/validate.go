package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/spec"
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
			if err := s.checkDefaultLimits(e.envName); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "note: validated locally only: %v\n", unreachable)
		} else if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, plan)
		}
		fmt.Fprintf(e.stdout, "%s is valid: app %s, %s\n", file, s.app.Name, contents(s.app))
		return nil
	})
	return cmd
}

// contents counts what a spec holds: "2 services", "2 services, 3
// flags", or for a file of flags only "3 flags, 1 segment; no services:
// applying it leaves the app's services as they are".
func contents(app *spec.App) string {
	var parts []string
	if app.HasServices() {
		parts = append(parts, plural(len(app.Services), "service"))
	}
	if app.HasFlags() {
		parts = append(parts, plural(len(app.Flags), "flag"))
		if len(app.Segments) > 0 {
			parts = append(parts, plural(len(app.Segments), "segment"))
		}
	}
	out := strings.Join(parts, ", ")
	if !app.HasServices() {
		out += "; no services: applying it leaves the app's services as they are"
	}
	return out
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
