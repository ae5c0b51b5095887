package dashboard

import (
	"context"
	"html/template"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// The traffic the charts draw is what the server records every few
// seconds whether or not a page is open (package history, served at
// /v1/services/NAME/history and /v1/history): a page reads it through
// the API, as everything else.

// serviceHistory reads service's recorded traffic; an environment that
// records none draws empty charts.
func (d *Dashboard) serviceHistory(ctx context.Context, se session, env, name string) []api.HistoryPoint {
	var h api.History
	if err := d.get(ctx, se, env, "/v1/services/"+esc(name)+"/history", &h); err != nil {
		return nil
	}
	return h.Points
}

// routerHistory reads the environment's whole router's recorded traffic.
func (d *Dashboard) routerHistory(ctx context.Context, se session, env string) []api.HistoryPoint {
	var h api.History
	if err := d.get(ctx, se, env, "/v1/history", &h); err != nil {
		return nil
	}
	return h.Points
}

// revStats is what one revision's traffic looked like lately.
type revStats struct {
	Label    string
	Revision int
	Requests float64 // in the window
	Rate     float64 // requests a second
	Success  string  // "99.2%" or "no requests"
	P50, P99 string
}

// window is how far back the table's numbers look.
const window = 30 * time.Second

// trafficOf returns rev's traffic at p, if p sampled it.
func trafficOf(p api.HistoryPoint, rev int) (api.HistoryTraffic, bool) {
	for _, t := range p.Revisions {
		if t.Revision == rev {
			return t, true
		}
	}
	return api.HistoryTraffic{}, false
}

// statsOf sums rev's requests over the points within window of the
// latest; its quantiles are the latest interval's that had requests.
func statsOf(pts []api.HistoryPoint, rev int, label string) revStats {
	st := revStats{Label: label, Revision: rev, Success: "no requests", P50: "-", P99: "-"}
	if len(pts) == 0 {
		return st
	}
	end := pts[len(pts)-1].Time
	var errs, secs float64
	var latest *api.HistoryTraffic
	for i := len(pts) - 1; i >= 0 && end.Sub(pts[i].Time) < window; i-- {
		t, ok := trafficOf(pts[i], rev)
		if !ok {
			continue
		}
		if t.RequestRate > 0 {
			secs += float64(t.Requests) / t.RequestRate
		}
		st.Requests += float64(t.Requests)
		errs += float64(t.Errors)
		if latest == nil && t.Requests > 0 {
			latest = &t
		}
	}
	if st.Requests <= 0 || latest == nil {
		return st
	}
	st.Rate = st.Requests / secs
	st.Success = trimFloat(100*(1-errs/st.Requests)) + "%"
	st.P50 = "≤ " + trimFloat(latest.P50Seconds*1000) + " ms"
	st.P99 = "≤ " + trimFloat(latest.P99Seconds*1000) + " ms"
	return st
}

// series picks one value of rev at each point that sampled it (with
// requests, unless rate is asked: no requests is a rate of 0).
func series(pts []api.HistoryPoint, rev int, val func(api.HistoryTraffic) float64, rate bool) []point {
	var out []point
	for _, p := range pts {
		if t, ok := trafficOf(p, rev); ok && (rate || t.Requests > 0) {
			out = append(out, point{p.Time, val(t)})
		}
	}
	return out
}

// sides are the revisions a service's charts compare: stable, and the
// candidate while one is in flight.
func sides(s api.Service) ([]int, []string) {
	revs, labels := []int{s.Stable}, []string{"stable r" + strconv.Itoa(s.Stable)}
	cand := 0
	switch {
	case s.Canary != nil && s.Canary.Outcome == "":
		cand = s.Canary.Revision
	case s.ParallelRun != nil && s.ParallelRun.Outcome == "":
		cand = s.ParallelRun.Revision
	case s.Traffic != nil && s.Traffic.Preview != 0:
		cand = s.Traffic.Preview
	}
	if cand != 0 && cand != s.Stable {
		revs, labels = append(revs, cand), append(labels, "candidate r"+strconv.Itoa(cand))
	}
	return revs, labels
}

// sideChart draws one value of each side over time.
func sideChart(title, unit string, pts []api.HistoryPoint, s api.Service, top float64, val func(api.HistoryTraffic) float64, rate bool) template.HTML {
	revs, labels := sides(s)
	var all [][]point
	for _, rev := range revs {
		ps := series(pts, rev, val, rate)
		for _, p := range ps {
			top = maxf(top, p.V)
		}
		all = append(all, ps)
	}
	return lineChart(title, 480, 120, top, unit, labels, all...)
}
