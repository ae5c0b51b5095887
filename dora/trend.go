package dora

import "time"

// Week is the metrics of one week of a trend, [From, To).
type Week struct {
	From, To time.Time
	Metrics
}

// MaxWeeks bounds a trend (two years).
const MaxWeeks = 104

// Trend measures the weeks consecutive seven-day windows that end at
// q.To (q.From is ignored), oldest first, over what was folded in, each
// rated on its own. A change counts in the week it finished and fails
// if it failed by now; a failure counts in the week it began.
func (l *Log) Trend(q Query, weeks int) []Week {
	q = q.withDefaults()
	weeks = min(max(weeks, 1), MaxWeeks)
	out := make([]Week, 0, weeks)
	for k := weeks; k > 0; k-- {
		wq := q
		wq.From, wq.To = q.To.AddDate(0, 0, -7*k), q.To.AddDate(0, 0, -7*(k-1))
		out = append(out, Week{From: wq.From, To: wq.To, Metrics: report(l.h, wq).Total})
	}
	return out
}
