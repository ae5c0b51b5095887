package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// results are the measured rounds: promotions[i] and applies[i] were
// made in the same round.
type results struct {
	promotions, applies []timeline
}

// row is one line of the table: a span of each timeline.
type row struct {
	label string
	span  func(timeline) time.Duration
}

// fromSent is the row of the span from the request to a point.
func fromSent(label string, point func(timeline) time.Time) row {
	return row{label, func(t timeline) time.Duration { return point(t).Sub(t.sent) }}
}

// fromGates is the row of the span from gatesPassedAt to a point.
func fromGates(label string, point func(timeline) time.Time) row {
	return row{label, func(t timeline) time.Duration { return point(t).Sub(t.gatesPassed) }}
}

// The points the rows end at.
var (
	answered        = func(t timeline) time.Time { return t.answered }
	approved        = func(t timeline) time.Time { return t.approved }
	gatesPassed     = func(t timeline) time.Time { return t.gatesPassed }
	opCreated       = func(t timeline) time.Time { return t.opCreated }
	rolloutStarted  = func(t timeline) time.Time { return t.rolloutStarted }
	instanceCreated = func(t timeline) time.Time { return t.instanceCreated }
)

var (
	promotionRows = []row{
		fromSent("approve sent -> answered (client)", answered),
		fromSent("approve sent -> approval recorded (gate endedAt)", approved),
		fromSent("approve sent -> gatesPassedAt", gatesPassed),
		fromSent("approve sent -> (a) deploy operation created", opCreated),
		fromSent("approve sent -> (b) service.rollout.started", rolloutStarted),
		fromSent("approve sent -> (c) first instance.created", instanceCreated),
		fromGates("gatesPassedAt -> (a) deploy operation created", opCreated),
		fromGates("gatesPassedAt -> (b) service.rollout.started", rolloutStarted),
		fromGates("gatesPassedAt -> (c) first instance.created", instanceCreated),
		{"after: operation.succeeded -> promotion finishedAt", func(t timeline) time.Duration { return t.finished.Sub(t.opSucceeded) }},
	}
	applyRows = []row{
		fromSent("apply sent -> answered (client)", answered),
		fromSent("apply sent -> (a) operation created", opCreated),
		fromSent("apply sent -> (b) service.rollout.started", rolloutStarted),
		fromSent("apply sent -> (c) first instance.created", instanceCreated),
	}
	// differenceRows are compared between the two paths, each from its
	// request.
	differenceRows = []row{
		fromSent("(a) operation created", opCreated),
		fromSent("(b) service.rollout.started", rolloutStarted),
		fromSent("(c) first instance.created", instanceCreated),
	}
)

// stats are the summary of one row over the rounds.
type stats struct{ median, p90, max time.Duration }

func summarize(ts []timeline, r row) stats {
	ds := make([]time.Duration, len(ts))
	for i, t := range ts {
		ds[i] = r.span(t)
	}
	slices.Sort(ds)
	return stats{median: median(ds), p90: nearestRank(ds, 0.9), max: ds[len(ds)-1]}
}

// median is the middle value of a sorted, non-empty list (the mean of
// the two middle ones for an even count).
func median(ds []time.Duration) time.Duration {
	m := len(ds) / 2
	if len(ds)%2 == 0 {
		return (ds[m-1] + ds[m]) / 2
	}
	return ds[m]
}

// nearestRank is the q-quantile of a sorted, non-empty list by the
// nearest-rank method: of 10 values, p90 is the 9th.
func nearestRank(ds []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(ds))+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

// labelWidth fits the longest label of the table.
const labelWidth = 56

// printTable prints the three blocks (promotion, direct apply, their
// difference), then what the lines mean.
func printTable(w io.Writer, res results) {
	line(w, fmt.Sprintf("%d rounds", len(res.promotions)), "median", "p90", "max")
	block(w, "promotion staging -> prod (approval gate)", res.promotions, promotionRows)
	block(w, "direct apply --env prod (new artifact file)", res.applies, applyRows)
	line(w, "promotion minus direct apply, each from its request", "", "", "")
	for _, r := range differenceRows {
		p, a := summarize(res.promotions, r), summarize(res.applies, r)
		line(w, "  "+r.label, signedMS(p.median-a.median), signedMS(p.p90-a.p90), signedMS(p.max-a.max))
	}
	fmt.Fprint(w, legend)
}

func block(w io.Writer, title string, ts []timeline, rows []row) {
	line(w, title, "", "", "")
	for _, r := range rows {
		s := summarize(ts, r)
		line(w, "  "+r.label, ms(s.median), ms(s.p90), ms(s.max))
	}
}

func line(w io.Writer, label, a, b, c string) {
	fmt.Fprintf(w, "%-*s %9s %9s %9s\n", labelWidth, label, a, b, c)
}

// signedMS is a difference in milliseconds with its sign.
func signedMS(d time.Duration) string {
	if d >= 0 {
		return "+" + ms(d)
	}
	return ms(d)
}

const legend = `
sent: the bench's clock just before the request (POST /v1/services/order/approve?env=prod, or POST /v1/apply?env=prod);
answered: its answer read. Every other point is the server's clock (the same machine): approval recorded is the approval
gate's endedAt, gatesPassedAt the promotion's; (a) the operation's createdAt in prod (for a promotion, its
deployStartedAt); (b) that operation's service.rollout.started event in prod; (c) the first instance.created event of
the new revision: the instance placed, before its process starts.
Not included: starting a slipway CLI process (and for apply, digesting and uploading the artifact: done before the
clock starts, as the promotion's version was pushed before), the gates' own waiting, and the rollout itself.
"after" is outside the measure: how long after prod's operation.succeeded the promotion was marked succeeded (what
pipeline status and its ROLLOUT column go by).
The difference rows are each statistic of the promotion minus the same statistic of the apply. p90 is by nearest rank
(of 10 rounds, the 9th). The machine's cores are shared with whatever else runs on it (see loadavg).
`
