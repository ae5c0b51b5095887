package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
)

// pollInterval is how often --wait asks the server about an operation.
const pollInterval = 500 * time.Millisecond

// eventPage is how many events one poll asks for at a time.
const eventPage = 500

// watch follows one operation: it remembers what it has already printed.
type watch struct {
	e *env
	c *client.Client
	// changes is the last seen state of each change, by service.
	changes map[string]api.Change
	// after is the sequence number of the last event read.
	after int64
}

// waitFor polls operation op until it ends or timeout passes, printing
// each change as it starts and finishes and the operation's events. It
// returns nil when the operation succeeded and an *operationError when it
// ended otherwise.
func (e *env) waitFor(ctx context.Context, c *client.Client, op api.Operation, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w := &watch{e: e, c: c, changes: map[string]api.Change{}, after: op.EventsAfter}
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		if err := w.step(ctx, op); err != nil {
			return w.stopped(op.ID, timeout, err)
		}
		latest, err := c.Operation(ctx, op.ID)
		if err != nil {
			return w.stopped(op.ID, timeout, err)
		}
		if op = latest; op.Terminal {
			return w.finish(ctx, op)
		}
		select {
		case <-ctx.Done():
			return w.stopped(op.ID, timeout, ctx.Err())
		case <-ticker.C:
		}
	}
}

// step prints what changed since the last poll.
func (w *watch) step(ctx context.Context, op api.Operation) error {
	w.printChanges(op)
	return w.printEvents(ctx, op.ID)
}

// finish prints the last progress of an ended operation and judges it.
func (w *watch) finish(ctx context.Context, op api.Operation) error {
	if err := w.step(ctx, op); err != nil {
		return err
	}
	if !op.Succeeded() {
		return &operationError{op: op}
	}
	fmt.Fprintf(w.e.stdout, "operation %d succeeded\n", op.ID)
	return nil
}

// stopped explains why waiting ended early; the operation goes on.
func (w *watch) stopped(id int64, timeout time.Duration, err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("operation %d did not end within %s; it goes on: see \"slipway status\"", id, timeout)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("stopped waiting; operation %d goes on: see \"slipway status\": %w", id, err)
	}
	return fmt.Errorf("wait for operation %d: %w", id, err)
}

// printChanges prints each change that started or finished since the
// last poll.
func (w *watch) printChanges(op api.Operation) {
	for _, ch := range op.Changes {
		before := w.changes[ch.Service]
		if ch.Started && !before.Started {
			fmt.Fprintf(w.e.stdout, "  %s: %s\n", ch.Service, describeChange(ch))
		}
		if ch.Done && !before.Done {
			fmt.Fprintf(w.e.stdout, "  %s: done\n", ch.Service)
		}
		w.changes[ch.Service] = ch
	}
}

// describeChange says in words what a change does to its service.
func describeChange(ch api.Change) string {
	switch {
	case ch.To == 0:
		return "removing"
	case ch.From == 0:
		return fmt.Sprintf("deploying r%d", ch.To)
	case ch.To < ch.From:
		return fmt.Sprintf("rolling back r%d -> r%d", ch.From, ch.To)
	}
	return fmt.Sprintf("rolling out r%d -> r%d", ch.From, ch.To)
}

// printEvents prints the operation's events that arrived since the last
// poll, reading from the operation's first event on (EventsAfter) and
// keeping the operation's own.
func (w *watch) printEvents(ctx context.Context, id int64) error {
	for {
		evs, err := w.c.Events(ctx, w.after, "", eventPage)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			w.after = max(w.after, ev.Seq)
			if ev.Operation == id {
				fmt.Fprintf(w.e.stdout, "    %s\n", formatEvent(ev))
			}
		}
		if len(evs) < eventPage {
			return nil
		}
	}
}
