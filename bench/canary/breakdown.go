package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/slipway-dev/slipway/analysis"
)

// crossing is what the rolled_back event's record says of the judge's
// decision: when its statistic crossed, and how many canary errors it
// had counted then (zero values for a judge that records neither, the
// interval judge).
type crossing struct {
	at     time.Time
	errors int
}

// findCrossing looks through a rolled_back event's data (the canary
// record) for the failed measurement's crossedAt and canaryEvents
// stats, wherever they sit, so that the bench does not depend on the
// record's layout.
func findCrossing(data json.RawMessage) crossing {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return crossing{}
	}
	var c crossing
	walkStats(v, &c)
	return c
}

func walkStats(v any, c *crossing) {
	switch v := v.(type) {
	case map[string]any:
		if at, ok := v[analysis.StatCrossedAt].(float64); ok && at > 0 {
			t := time.UnixMilli(int64(math.Round(at * 1000)))
			if c.at.IsZero() || t.Before(c.at) {
				c.at = t
				if n, ok := v[analysis.StatCanaryEvents].(float64); ok {
					c.errors = int(n)
				}
			}
		}
		for _, x := range v {
			walkStats(x, c)
		}
	case []any:
		for _, x := range v {
			walkStats(x, c)
		}
	}
}

// phases is where one run's time to rollback went, in order: each is
// the time from the previous mark to the next.
type phases struct {
	toFirst  time.Duration // setWeight event -> first request sent that the canary answered
	toErrors time.Duration // -> the canary error at which the judge crossed (the errors it counted)
	toCross  time.Duration // -> the judge's crossing (its tick)
	toPass   time.Duration // -> the rollback pass (its rolled_back event time: the pass's clock)
	toLast   time.Duration // -> the last request sent that the canary answered (the router swapped after it)
	errors   int           // canary errors the judge counted when it crossed
	known    bool          // the judge recorded a crossing (the sequential one)
}

// phases splits s's time to rollback; known is false without a recorded
// crossing or without as many client-seen errors as the judge counted.
func (s sample) phases() phases {
	p := phases{toFirst: s.firstV2.Sub(s.stepAt), errors: s.cross.errors}
	if s.cross.at.IsZero() || p.errors < 1 || p.errors > len(s.v2Errors) {
		return p
	}
	errAt := s.v2Errors[p.errors-1]
	p.toErrors, p.toCross = errAt.Sub(s.firstV2), s.cross.at.Sub(errAt)
	p.toPass, p.toLast = s.backAt.Sub(s.cross.at), s.lastV2.Sub(s.backAt)
	p.known = true
	return p
}

// printBreakdown prints where the sequential judge's runs spent their
// time to rollback, one row a run and the median of each phase.
func printBreakdown(w io.Writer, ss []sample) {
	var ps []phases
	for _, s := range ss {
		if p := s.phases(); p.known {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(w, "\nWhere the sequential judge's time to rollback went (%d runs with a recorded crossing)\n", len(ps))
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "run\tstep -> 1st canary request\t-> k-th canary error\tk\t-> judge crossed\t-> rollback pass\t-> last canary request")
	for i, p := range ps {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", i+1, ms(p.toFirst), ms(p.toErrors), p.errors, ms(p.toCross), ms(p.toPass), ms(p.toLast))
	}
	med := func(f func(phases) float64) float64 {
		xs := make([]float64, len(ps))
		for i, p := range ps {
			xs[i] = f(p)
		}
		return median(xs)
	}
	d := func(f func(phases) time.Duration) string {
		return ms(time.Duration(med(func(p phases) float64 { return float64(f(p)) })))
	}
	ks := make([]int, len(ps))
	for i, p := range ps {
		ks[i] = p.errors
	}
	slices.Sort(ks)
	fmt.Fprintf(tw, "median\t%s\t%s\t%s\t%s\t%s\t%s\n",
		d(func(p phases) time.Duration { return p.toFirst }), d(func(p phases) time.Duration { return p.toErrors }),
		num(med(func(p phases) float64 { return float64(p.errors) })),
		d(func(p phases) time.Duration { return p.toCross }), d(func(p phases) time.Duration { return p.toPass }),
		d(func(p phases) time.Duration { return p.toLast }))
	tw.Flush()
	fmt.Fprint(w, `
Each column is the time from the previous one's mark. Client marks are send times of user requests
(a 500 is the canary's: stable never fails); the judge's crossing is the crossedAt of the failed
measurement in the rolled_back event's record, with k its canary errors; the rollback pass is that
event's time (the pass's clock, before its write). The router swaps after the last canary request,
which precedes the swap by up to the gap between canary requests (~1/(weight x rate)).
`)
}

func ms(d time.Duration) string { return fmt.Sprintf("%dms", d.Round(time.Millisecond).Milliseconds()) }
