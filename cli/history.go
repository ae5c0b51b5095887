package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newHistory(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history SERVICE",
		Short: "List a service's revisions",
		Long:  "history lists a service's revisions; * marks the current one.",
		Args:  cobra.ExactArgs(1),
	}
	out := addOutputFlag(cmd)
	cmd.ValidArgsFunction = e.completeService
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		revs, err := e.client().Revisions(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(revs))
		}
		printHistory(e.stdout, revs)
		return nil
	})
	return cmd
}

// printHistory writes the revisions table, marking the current one.
func printHistory(w io.Writer, revs []api.Revision) {
	t := newTable(w)
	fmt.Fprintln(t, "  REV\tSTATE\tVERSION\tDIGEST\tCREATED\tREASON")
	for _, r := range revs {
		mark := " "
		if r.Current {
			mark = "*"
		}
		fmt.Fprintf(t, "%s %d\t%s\t%s\t%s\t%s\t%s\n", mark, r.Number, orDash(r.State),
			orDash(r.Version), orDash(shortDigest(r.Digest)), formatTime(r.CreatedAt), orDash(r.Reason))
	}
	t.Flush()
}

// formatTime writes a time in UTC, RFC 3339 to the second.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
