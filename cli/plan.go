package cli

import (
	"fmt"
	"io"
	"strings"

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
		s, c, err := e.sendable(cmd.Context(), file, true)
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
// with one line per field, "-" removed; the services, then the feature
// flags and segments; then a summary line.
func printPlan(w io.Writer, p api.Plan) {
	defer printWarnings(w, p.Warnings)
	defer printKept(w, p.Kept) // deferred: runs before the warnings
	defer printSecrets(w, p.Secrets)
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
		printFields(w, ch.Fields)
	}
	for _, name := range p.Removed {
		fmt.Fprintf(w, "- %s (removed)\n", name)
	}
	printChanges(w, "flag", p.Flags)
	printChanges(w, "segment", p.Segments)
	printConfigPlan(w, p.Configs)
	printTLSPlan(w, p.TLS)
	fmt.Fprintf(w, "\nPlan: %s.\n", planSummary(p))
	if p.Flags != nil && len(p.Flags.Changed) > 0 {
		fmt.Fprintln(w, "A changed flag loses its run-time changes (slipway flags enable, disable, set, rollout; a kill holds): "+
			"it serves what the spec says.")
	}
}

// printWarnings writes the plan's warnings after it, each on its line.
func printWarnings(w io.Writer, warnings []string) {
	if len(warnings) > 0 {
		fmt.Fprintln(w)
	}
	for _, msg := range warnings {
		fmt.Fprintln(w, "Warning: "+msg)
	}
}

// printKept says which parts of the app the spec leaves as they are
// because its file does not have them.
func printKept(w io.Writer, kept []string) {
	for _, part := range kept {
		switch part {
		case partServices:
			fmt.Fprintln(w, "This file has no services: the app's services stay as they are.")
		case partFlags:
			fmt.Fprintln(w, "This file has no flags or segments: the served flags stay as they are.")
		}
	}
}

// The parts of an app that api.Plan.Kept names.
const (
	partServices = "services"
	partFlags    = "flags"
)

// printChanges writes the changes to flags or segments as services are
// written, each name after its kind: "+ flag new-checkout (new)".
func printChanges(w io.Writer, kind string, c *api.Changes) {
	if c == nil {
		return
	}
	for _, name := range c.Added {
		fmt.Fprintf(w, "+ %s %s (new)\n", kind, name)
	}
	for _, ch := range c.Changed {
		fmt.Fprintf(w, "~ %s %s\n", kind, ch.Name)
		printFields(w, ch.Fields)
	}
	for _, name := range c.Removed {
		fmt.Fprintf(w, "- %s %s (removed)\n", kind, name)
	}
}

func printFields(w io.Writer, fields []api.FieldChange) {
	for _, f := range fields {
		fmt.Fprintf(w, "    %s: %s -> %s\n", f.Path, orDash(f.Old), orDash(f.New))
	}
}

// planSummary counts the changes: "1 to add, 1 to change, 1 to remove"
// when only services change, each kind named when flags or segments do.
func planSummary(p api.Plan) string {
	services := counts(len(p.Added), len(p.Changed), len(p.Removed))
	if p.Flags == nil && p.Segments == nil && p.Configs == nil && p.TLS == nil {
		return services
	}
	var parts []string
	if len(p.Added)+len(p.Changed)+len(p.Removed) > 0 {
		parts = append(parts, "services "+services)
	}
	if c := p.Flags; c != nil {
		parts = append(parts, "flags "+counts(len(c.Added), len(c.Changed), len(c.Removed)))
	}
	if c := p.Segments; c != nil {
		parts = append(parts, "segments "+counts(len(c.Added), len(c.Changed), len(c.Removed)))
	}
	if c := p.Configs; c != nil {
		parts = append(parts, fmt.Sprintf("configs %d new, %d with a new version", len(c.Added), len(c.Changed)))
	}
	if c := p.TLS; c != nil {
		parts = append(parts, fmt.Sprintf("tls %d settings, hosts %s", len(c.Fields), counts(len(c.Added), len(c.Changed), len(c.Removed))))
	}
	return strings.Join(parts, "; ")
}

func counts(added, changed, removed int) string {
	return fmt.Sprintf("%d to add, %d to change, %d to remove", added, changed, removed)
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

// printTLSPlan writes the TLS edge's changes: the tls: section's fields,
// then each host served over TLS that is added, removed or gets its
// certificate from elsewhere, with its certificate's source.
func printTLSPlan(w io.Writer, c *api.TLSChanges) {
	if c == nil {
		return
	}
	if len(c.Fields) > 0 {
		fmt.Fprintln(w, "~ tls")
		printFields(w, c.Fields)
	}
	for _, h := range c.Added {
		fmt.Fprintf(w, "+ tls host %s (service %s, certificate %s)\n", h.Host, h.Service, h.Certificate)
	}
	for _, h := range c.Changed {
		fmt.Fprintf(w, "~ tls host %s (service %s, certificate %s -> %s)\n", h.Host, h.Service, h.OldCertificate, h.Certificate)
	}
	for _, h := range c.Removed {
		fmt.Fprintf(w, "- tls host %s (removed; was service %s, certificate %s)\n", h.Host, h.Service, h.Certificate)
	}
}
