package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

// newNotifications is `slipway notifications status`.
func newNotifications(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notifications",
		Short: "Where events are sent (the spec's notifications:) and how delivery goes",
	}
	status := &cobra.Command{
		Use:   "status",
		Short: "Each destination: cursor, lag, delivered, last success, last error (never a URL's secret)",
		Long: "status shows each destination of the environment's notifications: section with\n" +
			"the event log it reads (the environment's; for another environment than default,\n" +
			"also the default one's, for the promotions into it): the last event read (CURSOR),\n" +
			"how many came after it (LAG), how many were delivered, when a delivery last\n" +
			"succeeded, and the last error with the failures in a row. A failing destination\n" +
			"is retried with backoff, in order, and never skips an event.",
		Args: cobra.NoArgs,
	}
	out := addOutputFlag(status)
	status.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		st, err := e.client().Notifications(cmd.Context())
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, st)
		}
		printNotifications(e, st)
		return nil
	})
	cmd.AddCommand(status)
	return cmd
}

func printNotifications(e *env, st []api.NotificationStatus) {
	if len(st) == 0 {
		fmt.Fprintln(e.stdout, "No notifications: add a notifications: section to the spec.")
		return
	}
	tw := newTable(e.stdout)
	fmt.Fprintln(tw, "NAME\tKIND\tTARGET\tLOG\tCURSOR\tLAG\tDELIVERED\tLAST SUCCESS\tLAST ERROR")
	for _, s := range st {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", s.Name, s.Kind, s.Target, s.Log, s.Cursor, s.Lag, s.Delivered,
			when(s.LastSuccess), lastError(s))
	}
	_ = tw.Flush()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}

// lastError is the destination's error: why it cannot send, or its last
// failure (with the failures in a row while they go on).
func lastError(s api.NotificationStatus) string {
	switch {
	case s.Broken != "":
		return "cannot send: " + s.Broken
	case s.LastError == "":
		return "-"
	case s.Failures > 0:
		return fmt.Sprintf("%s: %s (%d failures in a row, retrying)", when(s.LastErrorAt), s.LastError, s.Failures)
	}
	return fmt.Sprintf("%s: %s (recovered)", when(s.LastErrorAt), s.LastError)
}
