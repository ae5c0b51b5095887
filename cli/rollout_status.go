package cli

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newRolloutStatus(e *env) *cobra.Command {
	cmd := e.serviceCommand("status SERVICE", "Show where a service's rollout stands, on one screen",
		"status shows a service's canary on one screen: the revisions, the step, the\n"+
			"traffic split, any header route or pause, and each metric's latest\n"+
			"measurement and tally. For a service without a canary it says what the\n"+
			"service is doing instead. -o json prints the whole service.")
	out := addOutputFlag(cmd)
	cmd.RunE = e.run(func(cmd *cobra.Command, args []string) error {
		s, err := e.client().Service(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, s)
		}
		printRolloutStatus(e.stdout, s)
		return nil
	})
	return cmd
}

// printRolloutStatus writes `rollout status`: the canary the service
// stands on, or what the service is doing without one.
func printRolloutStatus(w io.Writer, s api.Service) {
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

// printNoCanary says what a service without a canary in view is doing.
func printNoCanary(w io.Writer, s api.Service) {
	fmt.Fprintf(w, "service %s has no canary in flight: %s\n", s.Name, noCanaryReason(s))
	t := newTable(w)
	fmt.Fprintf(t, "revision:\t%s\n", revisionLabel(s))
	fmt.Fprintf(t, "phase:\t%s\n", orDash(s.Phase))
	if s.Message != "" {
		fmt.Fprintf(t, "message:\t%s\n", s.Message)
	}
	if c := s.Canary; c != nil {
		fmt.Fprintf(t, "last canary:\tr%d %s\n", c.Revision, lastOutcome(c))
	}
	t.Flush()
}

// lastOutcome is how a canary that is history ended.
func lastOutcome(c *api.Canary) string {
	switch c.Outcome {
	case outcomePromoted:
		return "promoted " + formatTime(c.Ended) + ": " + c.Reason
	case outcomeRolledBack:
		return "rolled back " + formatTime(c.Ended) + ": " + c.Reason
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
