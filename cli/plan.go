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
		s, err := loadSpec(file)
		if err != nil {
			return err
		}
		c := e.client()
		if err := s.upload(cmd.Context(), c, e.stderr); err != nil {
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
		fmt.Fprintf(w, "+ %s (new)\n", name)
	}
	for _, ch := range p.Changed {
		fmt.Fprintf(w, "~ %s\n", ch.Name)
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
