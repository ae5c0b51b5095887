package cli

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newRolloutStatus(e *env) *cobra.Command {
	cmd := e.serviceCommand("status SERVICE", "Show where a service's rollout stands, on one screen",
		"status shows a service's canary or parallel run on one screen.\n\n"+
			"For a canary: the revisions, the step, the traffic split, any header\n"+
			"route or pause, and each metric's latest measurement and tally.\n\n"+
			"For a parallel run: the revisions, what is mirrored until when, the\n"+
			"verdict so far, the requests compared and differing against the gate,\n"+
			"and the routes and fields that differ most, each beside stable's own\n"+
			"noise.\n\n"+
			"For a service without either it says what the service is doing instead.\n"+
			"-o json prints the whole service.")
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		s, err := e.client().Service(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, s)
		}
		printRolloutStatus(e.stdout, s, e.now())
		return nil
	})
	return cmd
}

// printRolloutStatus writes `rollout status`: the canary or parallel run
// the service stands on, or what the service is doing without one.
func printRolloutStatus(w io.Writer, s api.Service, now time.Time) {
	if currentParallelRun(s) {
		printParallelStatus(w, s, now)
		return
	}
	if !currentCanary(s) {
		printNoCanary(w, s)
		return
	}
	c := s.Canary
	t := newTable(w)
	fmt.Fprintf(t, "service:\t%s\n", s.Name)
	fmt.Fprintf(t, "rollout:\tstable r%d -> canary r%d\n", c.Stable, c.Revision)
	fmt.Fprintf(t, "step:\t%s\n", stepText(c))
	fmt.Fprintf(t, "traffic:\t%s\n", trafficText(c))
	if h := headerText(c); h != "" {
		fmt.Fprintf(t, "header:\t%s\n", h)
	}
	if c.Paused {
		fmt.Fprintf(t, "paused:\t%s; go on with \"slipway rollout resume|promote|abort %s\"\n", c.PauseReason, s.Name)
	} else if waitsForPromote(c) {
		fmt.Fprintf(t, "waiting:\tfor \"slipway rollout promote %s\"\n", s.Name)
	}
	t.Flush()
	for _, r := range []*api.AnalysisRun{c.Analysis, c.StepAnalysis} {
		if r != nil {
			fmt.Fprintln(w)
			printRunStatus(w, c, r)
		}
	}
}

// printNoCanary says what a service without a canary or parallel run in
// view is doing.
func printNoCanary(w io.Writer, s api.Service) {
	what := "canary"
	if s.ParallelRun != nil {
		what = "canary or parallel run"
	}
	fmt.Fprintf(w, "service %s has no %s in flight: %s\n", s.Name, what, noCanaryReason(s))
	t := newTable(w)
	fmt.Fprintf(t, "revision:\t%s\n", revisionLabel(s))
	fmt.Fprintf(t, "phase:\t%s\n", orDash(s.Phase))
	if s.Message != "" {
		fmt.Fprintf(t, "message:\t%s\n", s.Message)
	}
	if c := s.Canary; c != nil {
		fmt.Fprintf(t, "last canary:\tr%d %s\n", c.Revision, lastOutcome(c.Outcome, c.Reason, c.Ended))
	}
	if p := s.ParallelRun; p != nil {
		fmt.Fprintf(t, "last parallel run:\tr%d %s\n", p.Revision, lastOutcome(p.Outcome, p.Reason, p.Ended))
	}
	t.Flush()
}

// lastOutcome is how a canary or parallel run that is history ended.
func lastOutcome(outcome, reason string, ended time.Time) string {
	switch outcome {
	case outcomePromoted:
		return "promoted " + formatTime(ended) + ": " + reason
	case outcomeRolledBack:
		return "rolled back " + formatTime(ended) + ": " + reason
	}
	return "did not finish"
}

// printRunStatus writes an analysis run's phase and, per metric, its
// judge, latest measurement, verdict and tally.
func printRunStatus(w io.Writer, c *api.Canary, r *api.AnalysisRun) {
	fmt.Fprintf(w, "%s: %s\n", runName(r), runState(c, r))
	if len(r.Metrics) == 0 {
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "  METRIC\tJUDGE\tLATEST\tVERDICT\tPASS/FAIL/INC/ERR\tREASON")
	for _, m := range r.Metrics {
		latest, verdict, reason := "-", "-", "no measurement yet"
		if n := len(m.Measurements); n > 0 {
			x := m.Measurements[n-1]
			latest, verdict, reason = measuredText(m, x), x.Verdict, x.Reason
		}
		fmt.Fprintf(t, "  %s\t%s\t%s\t%s\t%s\t%s\n", m.Name, orDash(m.Judge), latest, verdict, tallyText(m), reason)
	}
	t.Flush()
}

// canaryBrief is the canary of a service in flight in a few words, for
// `slipway status`: "canary r3 10% step 2/5", or "" when none is.
func canaryBrief(s api.Service) string {
	if !inFlight(s) {
		return ""
	}
	c := s.Canary
	brief := "canary r" + strconv.Itoa(c.Revision) + " " + strconv.Itoa(c.Weight) + "%"
	if c.Full || c.Step >= c.Steps {
		brief += " scaling to full"
	} else {
		brief += fmt.Sprintf(" step %d/%d", c.Step+1, c.Steps)
	}
	if c.Paused {
		brief += " paused"
	}
	return brief
}
