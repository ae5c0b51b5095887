package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

func newDora(e *env) *cobra.Command {
	var q client.DORAQuery
	cmd := &cobra.Command{
		Use:   "dora [--service S] [--env ENV] [--window 90d]",
		Short: "Show the DORA metrics of software delivery",
		Long: "dora shows the four DORA metrics of an environment (production by default)\n" +
			"over a window, from the server's event log: deployment frequency, lead time\n" +
			"for changes (commit to running: the artifact's commit and commitTime in the\n" +
			"spec, from git log -1 --format=%H and --format=%cI), change failure rate and\n" +
			"failed deployment recovery time, each rated elite, high, medium or low by the\n" +
			"performance levels of the 2024 State of DevOps report. Failures come from\n" +
			"failed rollouts, failed analyses, rollbacks and incidents (slipway incident).",
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	cmd.Flags().StringVar(&q.Service, "service", "", "only this service")
	cmd.Flags().StringVar(&q.Window, "window", "90d", "how far back: days (90d), weeks (12w) or hours (36h)")
	_ = cmd.RegisterFlagCompletionFunc("service", e.completeService)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		q.Env = e.envName // default: production
		d, err := e.client().DORA(cmd.Context(), q)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, d)
		}
		printDORA(e.stdout, d)
		return nil
	})
	return cmd
}

// printDORA writes the metrics table, what the levels rest on, and the
// failures counted.
func printDORA(w io.Writer, d api.DORA) {
	prod := ""
	if d.Production {
		prod = " (production)"
	}
	fmt.Fprintf(w, "DORA metrics of environment %s%s over the last %s (%s to %s)\n", d.Env, prod, d.Window,
		d.From.UTC().Format(time.DateTime), d.To.UTC().Format(time.DateTime+" MST"))
	fmt.Fprintf(w, "levels: %s\n\n", d.LevelsSource)
	t := newTable(w)
	fmt.Fprintln(t, "SERVICE\tDEPLOYS\tPER WEEK\tLEAD TIME (MEDIAN / P90)\tCHANGE FAILURE RATE\tRECOVERY (MEDIAN)\tLEVEL")
	for _, s := range d.Services {
		fmt.Fprintln(t, doraRow(s.Service, s.DORAMetrics))
	}
	if len(d.Services) != 1 {
		fmt.Fprintln(t, doraRow("all", d.Total))
	}
	t.Flush()
	fmt.Fprintf(w, "\n%s\n", doraLevels(d.Total))
	if n := d.Total.UnlinkedIncidents; n > 0 {
		fmt.Fprintf(w, "%d incident(s) named no revision that ran here (no --caused-by): not counted as change failures\n", n)
	}
	printDORAFailures(w, d.Total.Failures)
}

func doraRow(name string, m api.DORAMetrics) string {
	lead := "-"
	if m.LeadTime.Count > 0 {
		lead = fmt.Sprintf("%s / %s (%d commits)", formatSpan(m.LeadTime.MedianSeconds), formatSpan(m.LeadTime.P90Seconds), m.LeadTime.Count)
	}
	rate := "-"
	if m.Changes > 0 {
		rate = fmt.Sprintf("%.0f%% (%d of %d)", 100*m.ChangeFailureRate, m.ChangeFailures, m.Changes)
	}
	recovery := "-"
	if m.RecoveryTime.Count > 0 {
		recovery = formatSpan(m.RecoveryTime.MedianSeconds)
	}
	if m.Unrecovered > 0 {
		recovery += fmt.Sprintf(" (%d ongoing)", m.Unrecovered)
	}
	return fmt.Sprintf("%s\t%d\t%.2f\t%s\t%s\t%s\t%s", name, m.Deployments, m.DeploymentsPerWeek, lead, rate, recovery, m.Level)
}

// doraLevels says what the overall level rests on.
func doraLevels(m api.DORAMetrics) string {
	l := m.Levels
	var parts []string
	for _, f := range []struct{ name, level string }{
		{"deployment frequency", l.DeploymentFrequency}, {"lead time", l.LeadTime},
		{"change failure rate", l.ChangeFailureRate}, {"recovery time", l.RecoveryTime},
	} {
		if f.level == "" {
			f.level = "not rated (no data)"
		}
		parts = append(parts, f.name+" "+f.level)
	}
	return fmt.Sprintf("level %s: %s", m.Level, strings.Join(parts, ", "))
}

func printDORAFailures(w io.Writer, fs []api.DORAFailure) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintln(w, "\nfailures:")
	t := newTable(w)
	fmt.Fprintln(t, "SERVICE\tREV\tCAUSE\tSTARTED\tRECOVERED BY\tAFTER")
	for _, f := range fs {
		cause := f.Cause
		switch {
		case f.Incident != 0 && cause == "incident":
			cause = fmt.Sprintf("incident %d", f.Incident)
		case f.Incident != 0:
			cause += fmt.Sprintf(" (incident %d)", f.Incident)
		}
		by, after := "not yet", "-"
		if !f.Recovered.IsZero() {
			by, after = f.RecoveredBy, formatSpan(f.RecoverySeconds)
		}
		fmt.Fprintf(t, "%s\t%d\t%s\t%s\t%s\t%s\n", f.Service, f.Revision, cause, formatTime(f.Started), by, after)
	}
	t.Flush()
}

// formatSpan writes seconds as a short duration: 350ms, 45s, 6m30s,
// 3h05m, 2d04h.
func formatSpan(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return d.String()
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", d/time.Minute, d%time.Minute/time.Second)
	case d.Round(time.Minute) < 48*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
	}
	d = d.Round(time.Hour)
	return fmt.Sprintf("%dd%02dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
}
