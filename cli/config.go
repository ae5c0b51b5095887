package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// newConfig is `slipway config`: dynamic configurations, their versions
// and their delivery to the instances that read them.
func newConfig(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show, change, roll back and follow dynamic configurations",
		Long: "config shows the dynamic configurations of slipway.yaml's configs: section.\n" +
			"set, push and rollback each make a new, numbered version, checked first\n" +
			"(schema, rules, validate command: nothing is stored when it fails), that\n" +
			"is delivered to the instances of the service that reads it. A run-time\n" +
			"version holds until an apply changes the config's values in the spec.",
	}
	cmd.AddCommand(newConfigList(e), newConfigGet(e), newConfigSet(e), newConfigPush(e),
		newConfigHistory(e), newConfigDiff(e), newConfigRollback(e), newConfigStatus(e), newConfigStop(e))
	return cmd
}

func newConfigList(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List the configs: version, service, delivery", Args: cobra.NoArgs}
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		cs, err := e.client().Configs(cmd.Context())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(cs))
		}
		if len(cs) == 0 {
			fmt.Fprintln(e.stdout, "No configs yet. Define some under configs: in slipway.yaml and apply it.")
			return nil
		}
		t := newTable(e.stdout)
		fmt.Fprintln(t, "NAME\tSERVICE\tVERSION\tSOURCE\tDELIVERY\tSTRATEGY")
		for _, c := range cs {
			src := c.Source
			if c.Overridden {
				src += " *"
			}
			fmt.Fprintf(t, "%s\t%s\tv%d\t%s\t%s\t%s\n", c.Name, c.Service, c.Version, src, deliveryWords(c.Delivery), c.Strategy)
		}
		t.Flush()
		return nil
	})
	return cmd
}

// deliveryWords sums up a delivery: its phase and how many instances
// applied its version.
func deliveryWords(d *api.ConfigDelivery) string {
	if d == nil {
		return "-"
	}
	applied := 0
	for _, in := range d.Instances {
		if in.Applied == d.Version {
			applied++
		}
	}
	return fmt.Sprintf("v%d %s (%d/%d applied)", d.Version, d.Phase, applied, len(d.Instances))
}

func newConfigGet(e *env) *cobra.Command {
	var version int
	cmd := &cobra.Command{Use: "get NAME [--version N]", Short: "Print a config's values (the latest version, or --version)", Args: cobra.ExactArgs(1)}
	cmd.Flags().IntVar(&version, "version", 0, "the version to print (default: the latest)")
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		c, err := e.client().Config(cmd.Context(), args[0], version)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, c)
		}
		fmt.Fprintf(e.stdout, "%s v%d (%s%s, %s) read by %s from $%s\n", c.Name, c.Version, c.Source, byWords(c.By),
			c.Created.Local().Format(time.DateTime), c.Service, c.EnvVar)
		return printJSON(e.stdout, c.Values)
	})
	return cmd
}

func byWords(by string) string {
	if by == "" {
		return ""
	}
	return " by " + by
}

func newConfigSet(e *env) *cobra.Command {
	var reason string
	var base int
	cmd := &cobra.Command{
		Use:   "set NAME KEY=VALUE...",
		Short: "Change values of a config (a new version)",
		Long: "set changes some values of a config and stores the result as a new version,\n" +
			"once it passes the config's schema, rules and validate command. A value is\n" +
			"read as JSON when it parses as JSON (3000 is a number, true a boolean), else\n" +
			"as a string; key.sub=value sets a nested field.",
		Args: cobra.MinimumNArgs(2),
	}
	addEditFlags(cmd, &reason, &base)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		return e.editConfig(cmd, args[0], api.ConfigRequest{Set: args[1:], Reason: reason, Base: base})
	})
	return cmd
}

func addEditFlags(cmd *cobra.Command, reason *string, base *int) {
	cmd.Flags().StringVar(reason, "reason", "", "why, kept with the version and its event")
	cmd.Flags().IntVar(base, "if-version", 0, "refuse (409) unless the config is still at this version")
}

func newConfigPush(e *env) *cobra.Command {
	var file, reason string
	var base int
	cmd := &cobra.Command{
		Use:   "push NAME --file F",
		Short: "Replace a config's values with a JSON or YAML file (a new version)",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the JSON or YAML document of values ('-': standard input)")
	_ = cmd.MarkFlagRequired("file")
	addEditFlags(cmd, &reason, &base)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		var b []byte
		var err error
		if file == "-" {
			b, err = io.ReadAll(os.Stdin)
		} else {
			b, err = os.ReadFile(file)
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
		doc := string(b)
		return e.editConfig(cmd, args[0], api.ConfigRequest{Push: &doc, File: file, Reason: reason, Base: base})
	})
	return cmd
}

func newConfigRollback(e *env) *cobra.Command {
	var reason string
	var base, to int
	cmd := &cobra.Command{
		Use:   "rollback NAME [--to VERSION]",
		Short: "Make an earlier version's values the newest version (default: the one before the latest)",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().IntVar(&to, "to", 0, "the version to go back to (default: the one before the latest)")
	addEditFlags(cmd, &reason, &base)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		if to == 0 {
			c, err := e.client().Config(cmd.Context(), args[0], 0)
			if err != nil {
				return err
			}
			if c.Version < 2 {
				return fmt.Errorf("config %s has one version: there is nothing to roll back to", args[0])
			}
			to, base = c.Version-1, c.Version
		}
		return e.editConfig(cmd, args[0], api.ConfigRequest{RollbackTo: to, Reason: reason, Base: base})
	})
	return cmd
}

// editConfig sends a change and prints the version it made and what
// changed.
func (e *env) editConfig(cmd *cobra.Command, name string, req api.ConfigRequest) error {
	c, err := e.client().EditConfig(cmd.Context(), name, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "config %s v%d stored: %s\n", c.Name, c.Version, c.Reason)
	if d, err := e.client().ConfigDiff(cmd.Context(), name, 0, c.Version); err == nil {
		printConfigChanges(e.stdout, d.Changes)
	}
	return nil
}

func newConfigHistory(e *env) *cobra.Command {
	cmd := &cobra.Command{Use: "history NAME", Short: "Every version of a config, newest first", Args: cobra.ExactArgs(1)}
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		vs, err := e.client().ConfigVersions(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(vs))
		}
		t := newTable(e.stdout)
		fmt.Fprintln(t, "VERSION\tCREATED\tSOURCE\tBY\tREASON")
		for _, v := range vs {
			reason := v.Reason
			if v.Revision != 0 {
				reason += fmt.Sprintf(" [with revision %d: %s]", v.Revision, v.Release)
			}
			fmt.Fprintf(t, "v%d\t%s\t%s\t%s\t%s\n", v.Version, v.Created.Local().Format(time.DateTime), v.Source, orDash(v.By), orDash(reason))
		}
		t.Flush()
		return nil
	})
	return cmd
}

func newConfigDiff(e *env) *cobra.Command {
	var from, to int
	cmd := &cobra.Command{
		Use:   "diff NAME [--from N] [--to M]",
		Short: "What changed between two versions (default: the latest against the one before)",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().IntVar(&from, "from", 0, "the older version (default: the one before --to)")
	cmd.Flags().IntVar(&to, "to", 0, "the newer version (default: the latest)")
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		d, err := e.client().ConfigDiff(cmd.Context(), args[0], from, to)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, d)
		}
		fmt.Fprintf(e.stdout, "config %s v%d -> v%d\n", d.Name, d.From, d.To)
		printConfigChanges(e.stdout, d.Changes)
		return nil
	})
	return cmd
}

// printConfigChanges writes one line per changed value: - old, + new.
func printConfigChanges(w io.Writer, cs []api.ConfigChange) {
	if len(cs) == 0 {
		fmt.Fprintln(w, "  (no values changed)")
	}
	for _, c := range cs {
		switch {
		case c.Old == "":
			fmt.Fprintf(w, "  + %s: %s\n", c.Path, c.New)
		case c.New == "":
			fmt.Fprintf(w, "  - %s: %s\n", c.Path, c.Old)
		default:
			fmt.Fprintf(w, "  ~ %s: %s -> %s\n", c.Path, c.Old, c.New)
		}
	}
}

// printConfigPlan writes the configs an apply stores a new version of.
func printConfigPlan(w io.Writer, c *api.ConfigChanges) {
	if c == nil {
		return
	}
	for _, name := range c.Added {
		fmt.Fprintf(w, "+ config %s (new, version 1)\n", name)
	}
	for _, name := range c.Changed {
		i := slices.IndexFunc(c.Released, func(r api.ConfigRelease) bool { return r.Config == name })
		if i < 0 {
			fmt.Fprintf(w, "~ config %s (a new version)\n", name)
			continue
		}
		r := c.Released[i]
		fmt.Fprintf(w, "~ config %s (a new version, released with revision %d of %s: its instances read it, the others keep v%d;"+
			" promoted or rolled back together)\n", name, r.Revision, r.Service, r.Keeps)
	}
	for _, name := range c.Dropped {
		fmt.Fprintf(w, "  config %s: its run-time values (config set, push, rollback) give way to the spec's\n", name)
	}
}

func newConfigStatus(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status NAME",
		Short: "Which instance has which version of a config: the delivery, step by step",
		Long: "status shows a config's delivery: its phase and step, and for each instance of\n" +
			"the service that reads it the version it should have and the version it\n" +
			"reported applying (on its readiness check, in the Slipway-Config header).",
		Args: cobra.ExactArgs(1),
	}
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		c, err := e.client().Config(cmd.Context(), args[0], 0)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, c.Delivery)
		}
		printConfigStatus(e.stdout, c)
		return nil
	})
	return cmd
}

// printConfigStatus writes a delivery's phase and one row per instance.
func printConfigStatus(w io.Writer, c api.Config) {
	d := c.Delivery
	if d == nil {
		fmt.Fprintf(w, "%s v%d: not delivered yet\n", c.Name, c.Version)
		return
	}
	if d.Revision != 0 {
		fmt.Fprintf(w, "%s v%d %s (with revision %d of %s)", c.Name, d.Version, d.Phase, d.Revision, c.Service)
	} else {
		fmt.Fprintf(w, "%s v%d %s (step %d, %s)", c.Name, d.Version, d.Phase, d.Step, c.Strategy)
	}
	if d.Previous > 0 {
		fmt.Fprintf(w, ", from v%d", d.Previous)
	}
	fmt.Fprintln(w)
	if d.Reason != "" {
		fmt.Fprintf(w, "  %s\n", d.Reason)
	}
	printDeliveryAnalysis(w, d.Analysis)
	t := newTable(w)
	fmt.Fprintln(t, "INSTANCE\tREVISION\tDESIRED\tAPPLIED")
	for _, in := range d.Instances {
		applied := "-"
		if in.Applied > 0 {
			applied = fmt.Sprintf("v%d", in.Applied)
		}
		fmt.Fprintf(t, "%s\t%d\tv%d\t%s\n", in.ID, in.Revision, in.Desired, applied)
	}
	t.Flush()
}

func newConfigStop(e *env) *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "stop NAME",
		Short: "Stop a config's delivery in flight: every instance goes back to the previous version",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why, kept with the delivery and its event")
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		c, err := e.client().StopConfig(cmd.Context(), args[0], reason)
		if err != nil {
			return err
		}
		printConfigStatus(e.stdout, c)
		return nil
	})
	return cmd
}

// printDeliveryAnalysis writes each metric of a delivery's analysis: how
// it is judged, where it stands, and its last measurement.
func printDeliveryAnalysis(w io.Writer, r *api.AnalysisRun) {
	if r == nil {
		return
	}
	fmt.Fprintf(w, "  analysis %s\n", r.Phase)
	for _, m := range r.Metrics {
		fmt.Fprintf(w, "    %s (%s, %s): %s, %d taken", m.Name, m.Provider, m.Judge, m.Phase, m.Taken)
		if n := len(m.Measurements); n > 0 {
			fmt.Fprintf(w, "; last: %s", m.Measurements[n-1].Reason)
		}
		fmt.Fprintln(w)
	}
}
