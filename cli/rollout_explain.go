package cli

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newExplain(e *env) *cobra.Command {
	cmd := e.serviceCommand("explain SERVICE", "Explain why a service's canary or parallel run was promoted or rolled back",
		"explain prints everything stored about a service's latest canary or\n"+
			"parallel run, its outcome and reason first.\n\n"+
			"For a canary: each analysis run (background, and the last analysis\n"+
			"step's) with each metric's judge, tally and every kept measurement:\n"+
			"time, value, samples, verdict, the statistics it rests on and its reason.\n\n"+
			"For a parallel run: its gate (percent mirrored, mismatch limit, minimum\n"+
			"requests, mirroring window), then every route with every field that\n"+
			"differed: how often the candidate differed from stable, how often stable\n"+
			"differed from itself (the noise), whether it counts, and the kept\n"+
			"samples. -o json prints the canary or parallel run as stored.")
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		s, err := e.client().Service(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if parallelIsLatest(s) {
			if *out == outputJSON {
				return printJSON(e.stdout, s.ParallelRun)
			}
			printParallelExplain(e.stdout, s.Name, s.ParallelRun, e.now())
			return nil
		}
		if s.Canary == nil {
			return fmt.Errorf("service %s has run no canary: nothing to explain (it is %s)", s.Name, whatItDoes(s))
		}
		if *out == outputJSON {
			return printJSON(e.stdout, s.Canary)
		}
		printExplain(e.stdout, s.Name, s.Canary)
		return nil
	})
	return cmd
}

// whatItDoes is a service's phase and message in a few words.
func whatItDoes(s api.Service) string {
	if s.Message == "" {
		return orDash(s.Phase)
	}
	return orDash(s.Phase) + ": " + s.Message
}

// printExplain writes a canary's outcome, its course, and each of its
// analysis runs in full.
func printExplain(w io.Writer, service string, c *api.Canary) {
	fmt.Fprintln(w, outcomeLine(service, c))
	t := newTable(w)
	fmt.Fprintf(t, "rollout:\tstable r%d -> canary r%d\n", c.Stable, c.Revision)
	fmt.Fprintf(t, "started:\t%s\n", formatTime(c.Started))
	if !c.Ended.IsZero() {
		fmt.Fprintf(t, "ended:\t%s (after %s)\n", formatTime(c.Ended), roundDuration(c.Ended.Sub(c.Started)))
	}
	if c.Outcome == outcomePromoted {
		fmt.Fprintf(t, "last step:\t%s\n", explainStep(c))
	} else {
		fmt.Fprintf(t, "last step:\t%s, %d%% of the traffic\n", explainStep(c), c.Weight)
	}
	t.Flush()
	if c.Analysis == nil && c.StepAnalysis == nil {
		fmt.Fprintln(w, "\nno analysis ran")
	}
	for _, r := range []*api.AnalysisRun{c.Analysis, c.StepAnalysis} {
		if r != nil {
			fmt.Fprintln(w)
			printRunExplain(w, c, r)
		}
	}
}

// outcomeLine is the one plain line that says how the canary ended and
// why, or where it stands while in flight.
func outcomeLine(service string, c *api.Canary) string {
	head := fmt.Sprintf("canary r%d of %s", c.Revision, service)
	switch c.Outcome {
	case outcomePromoted:
		return head + " was promoted: " + c.Reason
	case outcomeRolledBack:
		return head + " was rolled back: " + c.Reason
	}
	line := fmt.Sprintf("%s is in flight at step %s, %d%% of the traffic", head, stepText(c), c.Weight)
	if c.Paused {
		line += "; paused: " + c.PauseReason
	}
	return line
}

// explainStep is the step the canary reached, whatever its outcome.
func explainStep(c *api.Canary) string {
	if c.Step >= c.Steps {
		return fmt.Sprintf("all %d steps done", c.Steps)
	}
	s := stepOf(c)
	if c.Full {
		s += " (promoted in full from there)"
	}
	return s
}

// printRunExplain writes one analysis run: its phase and times, then
// each metric with its judge, tally and every kept measurement.
func printRunExplain(w io.Writer, c *api.Canary, r *api.AnalysisRun) {
	fmt.Fprintf(w, "%s: %s\n", runName(r), runState(c, r))
	switch {
	case !r.Ended.IsZero():
		fmt.Fprintf(w, "  started %s, ended %s\n", formatTime(r.Started), formatTime(r.Ended))
	case c.Outcome != "":
		fmt.Fprintf(w, "  started %s, measured until the canary ended %s\n", formatTime(r.Started), formatTime(c.Ended))
	default:
		fmt.Fprintf(w, "  started %s, measures next at %s\n", formatTime(r.Started), formatTime(r.NextAt))
	}
	for _, m := range r.Metrics {
		printMetricExplain(w, m)
	}
}

// printMetricExplain writes one metric of a run and its measurements,
// oldest first.
func printMetricExplain(w io.Writer, m api.MetricRun) {
	fmt.Fprintf(w, "  %s (%s): judge %s; %s\n", m.Name, orDash(m.Provider), orDash(m.Judge), phaseText(m.Phase, m.Reason))
	fmt.Fprintf(w, "    %d taken: %d passed, %d failed, %d inconclusive, %d errors%s; %s\n",
		m.Taken, m.Passes, m.Failures, m.Inconclusives, m.Errors, uncounted(m), keptText(m))
	if len(m.Measurements) == 0 {
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "    TIME\tVALUE\tSAMPLES\tVERDICT\tSTATS\tREASON")
	for _, x := range m.Measurements {
		value := num(x.Value)
		if x.NoData {
			value = "no data"
		}
		fmt.Fprintf(t, "    %s\t%s\t%d\t%s\t%s\t%s\n",
			formatTime(x.Time), value, x.Samples, x.Verdict, keyStats(x.Stats), orDash(x.Reason))
	}
	t.Flush()
}

// uncounted says how many measurements the tally left out, and why: a
// measurement without data waits for data rather than count, and a
// metric already decided counts no more.
func uncounted(m api.MetricRun) string {
	n := m.Taken - (m.Passes + m.Failures + m.Inconclusives + m.Errors)
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(", %d not counted (no data, or taken once the metric was decided)", n)
}

// roundDuration rounds d for reading: to the second, or the millisecond
// under one.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// keptText says how many of a metric's measurements are kept.
func keptText(m api.MetricRun) string {
	switch n := len(m.Measurements); {
	case n == 0:
		return "none kept"
	case n < m.Taken:
		return "the last " + strconv.Itoa(n) + " kept"
	}
	return "all kept"
}
