package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/api"
)

func newEvents(e *env) *cobra.Command {
	var (
		follow  bool
		service string
		after   int64
		limit   int
	)
	cmd := &cobra.Command{
		Use:   "events [-f] [--service S]",
		Short: "Print the event log",
		Args:  cobra.NoArgs,
	}
	out := addOutputFlag(cmd)
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new events")
	cmd.Flags().StringVar(&service, "service", "", "only events of this service")
	cmd.Flags().Int64Var(&after, "after", 0, "only events after this sequence number")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many events (0: the server's default)")
	_ = cmd.RegisterFlagCompletionFunc("service", e.completeService)
	cmd.RunE = e.run(func(cmd *cobra.Command, _ []string) error {
		c := e.client()
		print := func(ev api.Event) error {
			if *out == outputJSON {
				return printJSON(e.stdout, ev)
			}
			_, err := fmt.Fprintln(e.stdout, formatEvent(ev))
			return err
		}
		if follow {
			err := c.FollowEvents(cmd.Context(), after, service, print)
			if errors.Is(err, context.Canceled) {
				return nil // the user stopped following
			}
			return err
		}
		evs, err := c.Events(cmd.Context(), after, service, limit)
		if err != nil {
			return err
		}
		if *out == outputJSON {
			return printJSON(e.stdout, nonNil(evs))
		}
		for _, ev := range evs {
			if err := print(ev); err != nil {
				return err
			}
		}
		return nil
	})
	return cmd
}

// formatEvent writes an event as one line: time, type, subject, message.
func formatEvent(ev api.Event) string {
	line := strings.Join([]string{formatTime(ev.Time), ev.Type, eventSubject(ev), ev.Message}, "  ")
	if ev.By != "" {
		line += "  (by " + ev.By + ")"
	}
	return line
}

// eventSubject names what an event is about: "invoice r3", or the
// instance, or "-".
func eventSubject(ev api.Event) string {
	var parts []string
	if ev.Service != "" {
		parts = append(parts, ev.Service)
	}
	if ev.Revision > 0 {
		parts = append(parts, "r"+strconv.Itoa(ev.Revision))
	}
	if ev.Instance != "" && ev.Service == "" {
		parts = append(parts, ev.Instance)
	}
	return orDash(strings.Join(parts, " "))
}
