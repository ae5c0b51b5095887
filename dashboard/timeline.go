package dashboard

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
)

type timelineData struct {
	Chart  template.HTML
	Events []timelineEvent
}

type timelineEvent struct {
	api.Event
	Kind string // deploy, flag, incident
}

// timeline puts deployments, flag changes and incidents on one time
// axis with the router's error rate, so that "what changed just before
// this spike?" has an answer. The error rate and latency are what the
// server recorded of its router every few seconds since it started.
func (d *Dashboard) timeline(r *http.Request, se session) (view, error) {
	env := r.URL.Query().Get("env")
	evs, err := d.newestEvents(r.Context(), se, env, "", 500)
	out := timelineData{}
	for _, e := range evs {
		if k := eventKind(e.Type); k != "" {
			out.Events = append(out.Events, timelineEvent{e, k})
		}
	}
	hs := d.routerHistory(r.Context(), se, env)
	out.Chart = timelineChart(out.Events, hs, d.cfg.Clock.Now())
	for i, j := 0, len(out.Events)-1; i < j; i, j = i+1, j-1 {
		out.Events[i], out.Events[j] = out.Events[j], out.Events[i]
	}
	return view{Template: "timeline", Title: "Timeline", Data: out}, err
}

func eventKind(t string) string { return markKinds[t] }

// timelineChart draws events as marks on a time axis over the router's
// error rate (percent of 5xx) and p99 latency in each recorded
// interval, each on its own scale.
func timelineChart(evs []timelineEvent, hs []api.HistoryPoint, now time.Time) template.HTML {
	var errs, p99 []point
	for _, p := range hs {
		t, ok := trafficOf(p, 0)
		if !ok || t.Requests == 0 {
			continue
		}
		errs = append(errs, point{p.Time, 100 * float64(t.Errors) / float64(t.Requests)})
		p99 = append(p99, point{p.Time, 1000 * t.P99Seconds})
	}
	t0 := now.Add(-time.Hour) // the axis starts a little before the first change
	if len(evs) > 0 {
		t0 = evs[0].Time.Add(-max(now.Sub(evs[0].Time)/20, time.Second))
	}
	axis := []point{{t0, 0}, {now, 0}}
	top := 1.0
	for _, p := range p99 {
		top = maxf(top, p.V)
	}
	return template.HTML(withMarks(lineChart("router error rate (percent) and changes over time", 640, 140, 100, "%", []string{"", "error rate"}, axis, errs), evs, t0, now) +
		withMarks(lineChart("router p99 latency (ms) and changes over time", 640, 140, top, "ms", []string{"", "p99 latency"}, axis, p99), evs, t0, now))
}

// withMarks adds a vertical mark per event to a chart of the same axis.
func withMarks(chart template.HTML, evs []timelineEvent, t0, now time.Time) string {
	var marks strings.Builder
	span := now.Sub(t0).Seconds()
	for _, e := range evs {
		x := 36 + (640-40)*e.Time.Sub(t0).Seconds()/span
		fmt.Fprintf(&marks, `<g><title>%s %s: %s</title><line x1="%.1f" x2="%.1f" y1="6" y2="124" class="mark-%s"/></g>`,
			e.Time.Format("15:04:05"), e.Kind, esch(e.Message), x, x, e.Kind)
	}
	return strings.Replace(string(chart), "</svg>", marks.String()+"</svg>", 1)
}
