package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/slipway-dev/slipway/bench/chaos/monkey"
)

// printTable prints the rollouts by strategy and outcome, the other
// counts, and every violation.
func printTable(w io.Writer, c monkey.Counts, took time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "strategy\trollouts\toutcomes\texpected")
	total := 0
	for _, s := range monkey.Strategies {
		out := c.Outcomes[s]
		n := 0
		var parts []string
		for _, state := range slices.Sorted(maps.Keys(out)) {
			n += out[state]
			parts = append(parts, fmt.Sprintf("%s %d", state, out[state]))
		}
		total += n
		fmt.Fprintf(tw, "%s\t%d\t%v\t%s\n", s, n, parts, s.Expected())
	}
	fmt.Fprintf(tw, "total\t%d\t\t\n", total)
	tw.Flush()
	fmt.Fprintf(w, "\nkill -9 of the server: %d\nSIGSTOP'd instances: %d, found unhealthy and replaced: %d\n", c.Kills, c.Stopped, c.Replaced)
	fmt.Fprintf(w, "backups through the API mid-rollout: %d whole (each restored and checked), %d cut by the kill\n", c.Backups, c.BackupsCut)
	fmt.Fprintf(w, "background load through the router: %d requests, %d failed (the router dies with the server)\n", c.Requests, c.Failed)
	for _, line := range c.DiskFull {
		fmt.Fprintf(w, "full disk: %s\n", line)
	}
	fmt.Fprintf(w, "violations: %d\n", len(c.Violations))
	for _, v := range c.Violations {
		fmt.Fprintf(w, "  - %s\n", v)
	}
	fmt.Fprintf(w, "took %s\n", took.Round(time.Second))
}
