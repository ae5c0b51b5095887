package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newFlagsGet(e *env) *cobra.Command {
	cmd := e.flagCommand("get KEY", "Show everything about one feature flag",
		"get shows one feature flag as it is served: its variants and their values,\n"+
			"what it serves when disabled or killed (off), prerequisites, rules, rollout\n"+
			"and stickiness, when it last changed and was last evaluated, whether it is\n"+
			"stale, and whether a run-time change applies on top of the spec.")
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		f, err := e.client().Flag(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, f)
		}
		printFlag(e.stdout, f)
		return nil
	})
	return cmd
}

// printFlag writes one flag as "label: value" lines; a value of several
// lines (variants, rules) goes on under its first.
func printFlag(w io.Writer, f api.Flag) {
	t := newTable(w)
	row := func(label string, lines ...string) {
		for i, l := range lines {
			if i == 0 {
				fmt.Fprintf(t, "%s:\t%s\n", label, l)
			} else {
				fmt.Fprintf(t, "\t%s\n", l)
			}
		}
	}
	row("flag", f.Key)
	row("class", orDash(f.Class))
	row("type", orDash(f.Type))
	if f.Description != "" {
		row("description", f.Description)
	}
	row("owner", orDash(f.Owner))
	row("state", stateLine(f))
	row("serves", serving(f))
	row("default", orDash(f.Default))
	row("off", offText(f)+offNote(f))
	row("variants", variantLines(f)...)
	row("prerequisites", orDash(strings.Join(f.Prerequisites, ", ")))
	row("rules", ruleLines(f.Rules)...)
	row("rollout", rolloutText(f))
	row("stickiness", orDash(f.Stickiness))
	row("override", overrideLine(f))
	row("changed", formatTime(f.Changed))
	row("evaluated", evaluatedLine(f))
	row("stale", staleLine(f))
	row("revision", fmt.Sprint(f.Revision))
	t.Flush()
}

// stateLine is the flag's state, and how to turn an off flag on.
func stateLine(f api.Flag) string {
	switch {
	case f.Killed:
		return fmt.Sprintf(`KILLED: everyone gets %s; "slipway flags enable %s" turns it back on`, offText(f), f.Key)
	case !f.Enabled:
		return fmt.Sprintf(`off (disabled): everyone gets %s; "slipway flags enable %s" turns it on`, offText(f), f.Key)
	}
	return "on"
}

// variantLines writes each variant with its value as JSON (so that the
// string "true" and the boolean true differ), the default marked.
func variantLines(f api.Flag) []string {
	if len(f.Variants) == 0 {
		return []string{"-"}
	}
	var lines []string
	for _, name := range slices.Sorted(maps.Keys(f.Variants)) {
		line := name + " = " + jsonText(f.Variants[name])
		if name == f.Default {
			line += " (default)"
		}
		lines = append(lines, line)
	}
	return lines
}

// jsonText writes a value as compact JSON.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// ruleLines writes the rules in the order they are tried:
// `1. segment beta-testers -> on`, `2. if ctx.plan == "pro" -> on`.
func ruleLines(rules []api.FlagRule) []string {
	if len(rules) == 0 {
		return []string{"-"}
	}
	lines := make([]string, len(rules))
	for i, r := range rules {
		var when []string
		if r.Segment != "" {
			when = append(when, "segment "+r.Segment)
		}
		if r.If != "" {
			when = append(when, "if "+r.If)
		}
		lines[i] = fmt.Sprintf("%d. %s -> %s", i+1, strings.Join(when, " and "), r.Serve)
	}
	return lines
}

// overrideLine says whether a run-time change applies on top of the
// spec, and what ends it.
func overrideLine(f api.Flag) string {
	if !f.Overridden {
		return "none: served as the spec says"
	}
	return "yes: a run-time change (enable, disable, kill, set, rollout) applies on top of the spec, " +
		"until an apply changes this flag in the spec"
}

func evaluatedLine(f api.Flag) string {
	if f.Evaluated.IsZero() {
		return "never recorded"
	}
	return formatTime(f.Evaluated)
}

func staleLine(f api.Flag) string {
	if !f.Stale {
		return "no"
	}
	return "yes: " + orDash(f.StaleReason)
}
