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
		c := e.client()
		revs, err := c.Revisions(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(revs))
		}
		evs, _ := c.Events(cmd.Context(), 0, args[0], 0) // who: best effort
		printHistory(e.stdout, revs, revisionAuthors(evs))
		return nil
	})
	return cmd
}

// revisionAuthors maps each revision to who made it: the By of the first
// event that names it and records one (the request that created it).
func revisionAuthors(evs []api.Event) map[int]string {
	by := map[int]string{}
	for _, ev := range evs {
		if _, seen := by[ev.Revision]; !seen && ev.Revision > 0 && ev.By != "" {
			by[ev.Revision] = ev.By
		}
	}
	return by
}

// printHistory writes the revisions table, marking the current one and
// naming who made each (by, from revisionAuthors).
func printHistory(w io.Writer, revs []api.Revision, by map[int]string) {
	t := newTable(w)
	fmt.Fprintln(t, "  REV\tSTATE\tVERSION\tDIGEST\tCREATED\tBY\tREASON")
	for _, r := range revs {
		mark := " "
		if r.Current {
			mark = "*"
		}
		fmt.Fprintf(t, "%s %d\t%s\t%s\t%s\t%s\t%s\t%s\n", mark, r.Number, orDash(r.State),
			orDash(r.Version), orDash(shortDigest(r.Digest)), formatTime(r.CreatedAt), orDash(by[r.Number]), orDash(r.Reason))
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
