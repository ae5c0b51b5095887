package cli

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// newFlags is `slipway flags`: the feature flags the server serves, and
// the run-time changes to them.
func newFlags(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "flags",
		Short: "List, inspect and evaluate feature flags; enable, disable, kill or roll them out at run time",
		Long: "flags shows the feature flags the server serves: those of slipway.yaml, with\n" +
			"any run-time change on top. enable, disable, kill, set and rollout are such\n" +
			"changes: each is a new flag revision with an event, served at once. They\n" +
			"last until an apply changes the flag in the spec, which drops them (the spec\n" +
			"then says what the flag is).",
	}
	cmd.AddCommand(
		newFlagsList(e), newFlagsGet(e), newFlagsStale(e), newFlagsEval(e),
		newFlagEnable(e), newFlagDisable(e), newFlagKill(e), newFlagSet(e), newFlagRollout(e),
	)
	return cmd
}

// flagCommand is a flags subcommand on one KEY, completed with the
// server's flag keys.
func (e *env) flagCommand(use, short, long string) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Args: cobra.ExactArgs(1)}
	cmd.ValidArgsFunction = e.completeFlag
	return cmd
}

func newFlagsList(e *env) *cobra.Command {
	var stale bool
	cmd := &cobra.Command{
		Use:   "list [--stale]",
		Short: "List the feature flags as they are served",
		Long: "list shows every feature flag as it is served. STATE is on, off (disabled:\n" +
			"everyone gets the OFF variant) or KILLED (the same); ROLLOUT is the\n" +
			"percentage split of everyone no rule matches. * marks a flag with a\n" +
			"run-time change on top of the spec, ! a stale one (see \"slipway flags\n" +
			"stale\").",
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	cmd.Flags().BoolVar(&stale, "stale", false, "only the stale flags")
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		fs, err := e.client().Flags(cmd.Context(), stale)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(fs))
		}
		printFlags(e.stdout, fs, stale)
		return nil
	})
	return cmd
}

// printFlags writes the flags table, a mark before each overridden (*)
// or stale (!) flag, and what the marks used mean.
func printFlags(w io.Writer, fs []api.Flag, stale bool) {
	switch {
	case len(fs) == 0 && stale:
		fmt.Fprintln(w, "No stale flags.")
		return
	case len(fs) == 0:
		fmt.Fprintln(w, "No feature flags yet. Define some under flags: in slipway.yaml and apply it.")
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "   KEY\tCLASS\tTYPE\tSTATE\tDEFAULT\tOFF\tROLLOUT\tRULES\tOWNER")
	var overridden, stales bool
	for _, f := range fs {
		overridden, stales = overridden || f.Overridden, stales || f.Stale
		fmt.Fprintf(t, "%s %s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", flagMarks(f), f.Key, orDash(f.Class), orDash(f.Type),
			flagState(f), orDash(f.Default), offColumn(f), rolloutText(f), len(f.Rules), orDash(f.Owner))
	}
	t.Flush()
	if overridden || stales {
		fmt.Fprintln(w)
	}
	if overridden {
		fmt.Fprintln(w, `* a run-time change applies on top of the spec (see "slipway flags get KEY")`)
	}
	if stales {
		fmt.Fprintln(w, `! stale (see "slipway flags stale")`)
	}
}

// flagMarks is the two-character mark column: * overridden, ! stale.
func flagMarks(f api.Flag) string {
	marks := []byte("  ")
	if f.Overridden {
		marks[0] = '*'
	}
	if f.Stale {
		marks[1] = '!'
	}
	return string(marks)
}

// flagState is on, off or KILLED (the kill switch wins over enabled).
func flagState(f api.Flag) string {
	switch {
	case f.Killed:
		return "KILLED"
	case f.Enabled:
		return "on"
	}
	return "off"
}

// rolloutText writes a flag's percentage split, the variants that are
// not the default first, then the default: "on 25% / off 75%" ("-"
// without a split).
func rolloutText(f api.Flag) string {
	if len(f.Rollout) == 0 {
		return "-"
	}
	names := slices.SortedFunc(maps.Keys(f.Rollout), func(a, b string) int {
		return cmp.Or(cmp.Compare(boolRank(a == f.Default), boolRank(b == f.Default)), strings.Compare(a, b))
	})
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + " " + percentText(f.Rollout[name])
	}
	return strings.Join(parts, " / ")
}

// percentText writes a percentage as it was given: 25 is "25%", 0.5
// is "0.5%".
func percentText(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) + "%" }

// serving says whom a flag serves what, in evaluation order: "2 rules
// decide first, then on 25% / off 75% for everyone else".
func serving(f api.Flag) string {
	if f.Killed || !f.Enabled {
		return "everyone gets " + offText(f) + offNote(f)
	}
	var s string
	switch n := len(f.Rules); {
	case n == 0 && len(f.Rollout) > 0:
		s = rolloutText(f) + " for everyone"
	case n == 0:
		s = "everyone gets its default, " + f.Default
	case len(f.Rollout) > 0:
		s = fmt.Sprintf("%s first, then %s for everyone else", rulesDecide(n), rolloutText(f))
	default:
		s = fmt.Sprintf("%s first, then everyone else gets its default, %s", rulesDecide(n), f.Default)
	}
	if len(f.Prerequisites) > 0 {
		s += fmt.Sprintf(" (when %s; otherwise its default, %s)", strings.Join(f.Prerequisites, " and "), f.Default)
	}
	return s
}

// offText is the variant a disabled or killed flag serves, with its
// value: `"off" (false)`.
func offText(f api.Flag) string {
	off := cmp.Or(f.Off, f.Default) // a server from before flags had off serves the default
	s := strconv.Quote(off)
	if v, ok := f.Variants[off]; ok {
		s += " (" + jsonText(v) + ")"
	}
	return s
}

// offNote says, of a flag that names no off variant, that a kill serves
// its default; "" otherwise.
func offNote(f api.Flag) string {
	if !f.OffUnset {
		return ""
	}
	return ", its default: the flag has no off variant (name one with off: in the spec)"
}

// offColumn is the OFF column of the list: the variant, marked when it
// is only the default.
func offColumn(f api.Flag) string {
	if f.OffUnset {
		return orDash(f.Off) + " (default)"
	}
	return orDash(cmp.Or(f.Off, f.Default))
}

func rulesDecide(n int) string {
	if n == 1 {
		return "1 rule decides"
	}
	return fmt.Sprintf("%d rules decide", n)
}

func newFlagsStale(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stale",
		Short: "List the flags that outlived their purpose, and why",
		Long: "stale lists the release and experiment flags that have served one variant\n" +
			"to everyone, or gone unevaluated, for longer than their staleAfter, with\n" +
			"the reason. Remove them from the code and the spec. It exits 0 either way.",
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		fs, err := e.client().Flags(cmd.Context(), true)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(fs))
		}
		printStale(e.stdout, fs)
		return nil
	})
	return cmd
}

// printStale writes the stale flags with their reasons, and how many.
func printStale(w io.Writer, fs []api.Flag) {
	if len(fs) == 0 {
		fmt.Fprintln(w, "No stale flags.")
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "KEY\tCLASS\tOWNER\tCHANGED\tEVALUATED\tWHY STALE")
	for _, f := range fs {
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Key, orDash(f.Class), orDash(f.Owner),
			formatTime(f.Changed), formatTime(f.Evaluated), orDash(f.StaleReason))
	}
	t.Flush()
	if len(fs) == 1 {
		fmt.Fprintln(w, "\n1 flag is stale.")
		return
	}
	fmt.Fprintf(w, "\n%d flags are stale.\n", len(fs))
}
