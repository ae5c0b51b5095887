package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"
)

// goal is the goal for the time to rollback: issue 4's for the interval
// judge, issue 19's (the median to all traffic on stable) for the
// sequential one.
func (j judge) goal() time.Duration {
	if j == sequential {
		return 2 * time.Second
	}
	return 10 * time.Second
}

// printTable prints one row per run of judge j and the median, then what
// the columns mean.
func printTable(w io.Writer, cfg config, j judge, ss []sample) {
	fmt.Fprintf(w, "\n%s judge: %s\n", j, j.metric())
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	minimum := ss[0].expected(analysisInterval)
	fmt.Fprintln(tw, "run\ttime to rollback (server)\t(client)\tfailed / sent\texpected at measured time\ttheoretical min\tgoal")
	for i, s := range ss {
		row(tw, strconv.Itoa(i+1), s.serverTime(), s.clientTime(), float64(s.failed), float64(s.sent), s.expected(s.clientTime()), minimum, j.goal())
	}
	srv, cli := durations(ss, sample.serverTime), durations(ss, sample.clientTime)
	failed := floats(ss, func(s sample) float64 { return float64(s.failed) })
	sent := floats(ss, func(s sample) float64 { return float64(s.sent) })
	mSrv, mCli := time.Duration(median(srv)), time.Duration(median(cli))
	row(tw, fmt.Sprintf("median of %d", len(ss)), mSrv, mCli, median(failed), median(sent), ss[0].expected(mCli), minimum, j.goal())
	tw.Flush()
	fmt.Fprintf(w, `
server: the %s event minus the "setWeight %d" %s event.
client: send time of the last request answered by v2 minus that of the first.
failed: user requests that got a 5xx or no answer (timeout %s), from the apply of v2 to %s after the rollback.
expected at measured time: weight x rate x error rate x client time = %.2f x %d/s x %.1f x t.
theoretical min: the same over one analysis interval (%s), the least the interval judge needs to see the errors.
`, rolledBackEvent, weight, stepEvent, requestTimeout, tail, float64(weight)/100, cfg.rate, failRate, analysisInterval)
}

func row(w io.Writer, name string, server, client time.Duration, failed, sent, expected, minimum float64, goal time.Duration) {
	fmt.Fprintf(w, "%s\t%s\t%s\t%s / %s\t%.1f\t%.1f\t< %s: %s\n", name, secs(server), secs(client),
		num(failed), num(sent), expected, minimum, goal, verdict(server < goal && client < goal))
}

// printSideBySide prints the judges' medians next to each other.
func printSideBySide(w io.Writer, cfg config, all map[judge][]sample) {
	fmt.Fprintf(w, "\nSide by side, median of %d runs each\n", cfg.runs)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "judge\ttime to rollback (server)\tspread\t(client)\tspread\tfailed requests\tgoal")
	for _, j := range cfg.judges {
		ss := all[j]
		srv, cli := durations(ss, sample.serverTime), durations(ss, sample.clientTime)
		mSrv, mCli := time.Duration(median(srv)), time.Duration(median(cli))
		failed := median(floats(ss, func(s sample) float64 { return float64(s.failed) }))
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t< %s: %s\n", j, secs(mSrv), spread(srv), secs(mCli), spread(cli),
			num(failed), j.goal(), verdict(mSrv < j.goal() && mCli < j.goal()))
	}
	tw.Flush()
	fmt.Fprintln(w, "spread: the fastest and the slowest run.")
}

// spread is the range of durations (in nanoseconds), "0.81-3.29s".
func spread(ds []float64) string {
	return fmt.Sprintf("%.2f-%.2fs", time.Duration(slices.Min(ds)).Seconds(), time.Duration(slices.Max(ds)).Seconds())
}

func durations(ss []sample, f func(sample) time.Duration) []float64 {
	return floats(ss, func(s sample) float64 { return float64(f(s)) })
}

func floats(ss []sample, f func(sample) float64) []float64 {
	out := make([]float64, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

// median is the middle value (the mean of the two middle ones for an
// even count) of a non-empty list.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

// num prints a count, with a decimal only when it is a median of two.
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
