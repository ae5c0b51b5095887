package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// Event types the measure ends at (the API sends an event's type as its
// string).
const (
	rolloutStartedEvent  = string(store.EventRolloutStarted)
	instanceCreatedEvent = string(store.EventInstanceCreated)
	opSucceededEvent     = string(store.EventOperationSucceeded)
)

// timeline is one measured change of prod. sent and answered are the
// bench's clock, the rest the server's: both are this machine's wall
// clock.
type timeline struct {
	operation int64 // prod's operation that carries the change
	revision  int   // the revision it rolls out

	sent     time.Time // just before the request (approve or apply) was sent
	answered time.Time // its answer read
	// approved and gatesPassed are a promotion's: the approval gate's
	// endedAt (the approve handler's clock) and gatesPassedAt (the
	// pipeline controller's pass that found every gate passed).
	approved, gatesPassed time.Time

	opCreated       time.Time // (a) the operation's createdAt
	rolloutStarted  time.Time // (b) its service.rollout.started event
	instanceCreated time.Time // (c) the first instance.created of the revision

	// After the measure, for a promotion: its operation.succeeded event
	// and the promotion's finishedAt, which the pipeline controller sets
	// when it next looks at the operation.
	opSucceeded, finished time.Time
}

// fromEvents fills in (b) and (c) from prod's events of the change: it
// is an error if either is missing, or if the times are out of order.
func (t *timeline) fromEvents(evs []api.Event) error {
	for _, e := range evs {
		switch {
		case e.Type == rolloutStartedEvent && e.Operation == t.operation && t.rolloutStarted.IsZero():
			t.rolloutStarted = e.Time
		case e.Type == instanceCreatedEvent && e.Revision == t.revision && t.instanceCreated.IsZero():
			t.instanceCreated = e.Time
		case e.Type == opSucceededEvent && e.Operation == t.operation:
			t.opSucceeded = e.Time
		}
	}
	switch {
	case t.rolloutStarted.IsZero():
		return fmt.Errorf("no %s event of operation %d in prod", rolloutStartedEvent, t.operation)
	case t.instanceCreated.IsZero():
		return fmt.Errorf("no %s event of revision %d in prod", instanceCreatedEvent, t.revision)
	case t.opSucceeded.IsZero():
		return fmt.Errorf("no %s event of operation %d in prod", opSucceededEvent, t.operation)
	}
	return t.check()
}

// check refuses a timeline whose points are out of order: one would not
// belong to the change.
func (t timeline) check() error {
	points := []time.Time{t.sent, t.opCreated, t.rolloutStarted, t.instanceCreated}
	if !t.gatesPassed.IsZero() {
		points = []time.Time{t.sent, t.approved, t.gatesPassed, t.opCreated, t.rolloutStarted, t.instanceCreated}
	}
	for i := 1; i < len(points); i++ {
		if points[i].Before(points[i-1]) {
			return fmt.Errorf("times out of order: %s", t)
		}
	}
	return nil
}

// since is how long after the request was sent x happened.
func (t timeline) since(x time.Time) time.Duration { return x.Sub(t.sent) }

func (t timeline) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "operation %d, revision %d; from the request: answered %s", t.operation, t.revision, ms(t.since(t.answered)))
	if !t.gatesPassed.IsZero() {
		fmt.Fprintf(&b, ", approved %s, gates passed %s", ms(t.since(t.approved)), ms(t.since(t.gatesPassed)))
	}
	fmt.Fprintf(&b, ", (a) operation %s, (b) rollout started %s, (c) instance created %s",
		ms(t.since(t.opCreated)), ms(t.since(t.rolloutStarted)), ms(t.since(t.instanceCreated)))
	if !t.finished.IsZero() {
		fmt.Fprintf(&b, "; promotion finished %s after operation.succeeded", ms(t.finished.Sub(t.opSucceeded)))
	}
	return b.String()
}

// ms is a duration in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
