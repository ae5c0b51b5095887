package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newPlan(e *env) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "plan -f FILE",
		Short: "Show what apply would change",
		Long: "plan checks the app spec locally, uploads its artifacts, and shows what\n" +
			"applying it would add, change and remove. It changes nothing.",
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	addFileFlag(cmd, &file)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		s, c, err := e.sendable(cmd.Context(), file)
		if err != nil {
			return err
		}
		plan, err := c.Plan(cmd.Context(), s.request)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, plan)
		}
		printPlan(e.stdout, plan)
		return nil
	})
	return cmd
}

// printPlan writes a plan the way terraform does: "+" added, "~" changed
// with one line per field, "-" removed, then a summary line.
func printPlan(w io.Writer, p api.Plan) {
	if p.Empty() {
		fmt.Fprintln(w, "No changes.")
		return
	}
	for _, name := range p.Added {
		fmt.Fprintf(w, "+ %s (new%s)\n", name, revisionNote(p, name))
	}
	for _, ch := range p.Changed {
		if note := revisionNote(p, ch.Name); note != "" {
			fmt.Fprintf(w, "~ %s (%s)\n", ch.Name, note[2:])
		} else {
			fmt.Fprintf(w, "~ %s\n", ch.Name)
		}
		for _, f := range ch.Fields {
			fmt.Fprintf(w, "    %s: %s -> %s\n", f.Path, orDash(f.Old), orDash(f.New))
		}
	}
	for _, name := range p.Removed {
		fmt.Fprintf(w, "- %s (removed)\n", name)
	}
	fmt.Fprintf(w, "\nPlan: %d to add, %d to change, %d to remove.\n",
		len(p.Added), len(p.Changed), len(p.Removed))
}

// revisionNote says which revision a change makes: ", revision 3" for a
// new service, ", revision 2 -> 3" for a changed one ("" when unknown).
func revisionNote(p api.Plan, name string) string {
	rc, ok := p.Revisions[name]
	switch {
	case !ok:
		return ""
	case rc.From == 0:
		return fmt.Sprintf(", revision %d", rc.To)
	}
	return fmt.Sprintf(", revision %d -> %d", rc.From, rc.To)
}
