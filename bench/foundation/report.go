package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// printTable prints the results as a plain table.
func printTable(w io.Writer, cfg config, r results) {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	n, runs := cfg.instances, len(r.slipway)
	target := 2 * readinessInterval
	sw, fw := walls(r.slipway), walls(r.floor)
	sl, fl := lags(r.slipway), lags(r.floor)
	fmt.Fprintln(tw, "measure\tslipway\tfloor (bare exec)\ttarget")
	fmt.Fprintf(tw, "apply -> %d/%d ready (median of %d)\t%s\t%s\t-\n", n, n, runs, secs(median(sw)), secs(median(fw)))
	fmt.Fprintf(tw, "apply -> %d/%d ready (max of %d)\t%s\t%s\t-\n", n, n, runs, secs(slices.Max(sw)), secs(slices.Max(fw)))
	fmt.Fprintf(tw, "slipway overhead (median - median)\t%s\t-\t-\n", secs(median(sw)-median(fw)))
	fmt.Fprintf(tw, "ready - slowest instance start (median)\t%s\t%s\t-\n", secs(median(sl)), secs(median(fl)))
	fmt.Fprintf(tw, "ready - slowest instance start (max)\t%s\t%s\t< %s (2 readiness intervals): %s\n",
		secs(slices.Max(sl)), secs(slices.Max(fl)), secs(target), verdict(slices.Max(sl) < target))
	if i := r.idle; i != nil {
		fmt.Fprintf(tw, "server RSS idle, %d instances\t%s\t\t\n", i.instances, mib(i.serverRSS))
		fmt.Fprintf(tw, "server CPU idle, %d instances (over %s)\t%.1f%% of a core\t\t\n", i.instances, secs(i.window), 100*i.cpu)
		fmt.Fprintf(tw, "one example-app instance RSS\t%s\t\t\n", mib(i.instanceRSS))
	}
	tw.Flush()
}

func walls(ss []sample) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = s.wall
	}
	return out
}

func lags(ss []sample) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = s.lag
	}
	return out
}

// median is the middle value (the mean of the two middle ones for an
// even count) of a non-empty list.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
