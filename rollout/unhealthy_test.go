package rollout

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

func TestNextEpisode(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	after := 5 * time.Minute
	for _, c := range []struct {
		name      string
		ep        episode
		healthy   bool
		now       time.Time
		want      episode
		step      healthStep
		wantAgain time.Duration
	}{
		{"healthy stays quiet", episode{}, true, t0, episode{}, healthQuiet, 0},
		{"a spell begins: come back when it would be due", episode{}, false, t0, episode{since: t0}, healthQuiet, after},
		{"not yet long enough", episode{since: t0}, false, t0.Add(4 * time.Minute), episode{since: t0}, healthQuiet, time.Minute},
		{"exactly the threshold reports", episode{since: t0}, false, t0.Add(after), episode{since: t0, reported: true}, healthReport, 0},
		{"well past the threshold reports once", episode{since: t0}, false, t0.Add(time.Hour), episode{since: t0, reported: true}, healthReport, 0},
		{"reported: never again in the spell", episode{since: t0, reported: true}, false, t0.Add(2 * time.Hour), episode{since: t0, reported: true}, healthQuiet, 0},
		{"healthy after a report recovers", episode{since: t0, reported: true}, true, t0.Add(time.Hour), episode{}, healthRecovered, 0},
		{"healthy before the threshold ends the spell quietly", episode{since: t0}, true, t0.Add(time.Minute), episode{}, healthQuiet, 0},
	} {
		got, step, again := nextEpisode(c.ep, c.healthy, c.now, after)
		if got != c.want || step != c.step || again != c.wantAgain {
			t.Errorf("%s: got %+v step %d again %s, want %+v step %d again %s", c.name, got, step, again, c.want, c.step, c.wantAgain)
		}
	}
}

// TestUnhealthyServiceIsReportedOncePerSpell drives the controller on a
// fake clock: an instance failing readiness is reported once the spell
// lasts UnhealthyAfter, once, and its recovery once; a short spell is
// not reported.
func TestUnhealthyServiceIsReportedOncePerSpell(t *testing.T) {
	h, _ := converged(t)
	h.ctl.cfg.UnhealthyAfter = time.Minute
	in := h.instances("order")[0]

	h.ctl.onHealth(healthChange(in, false, false)) // a short spell
	h.settle()
	h.advance(30 * time.Second)
	h.ctl.onHealth(healthChange(in, true, false))
	h.advance(2 * time.Minute)
	if n := len(h.events(store.EventServiceUnhealthy)) + len(h.events(store.EventServiceRecovered)); n != 0 {
		t.Fatalf("a 30s spell wrote %d health events, want none", n)
	}

	h.ctl.onHealth(healthChange(in, false, false))
	h.settle()
	h.advance(59 * time.Second)
	if n := len(h.events(store.EventServiceUnhealthy)); n != 0 {
		t.Fatalf("%d unhealthy events after 59s, want none before the threshold", n)
	}
	h.advance(time.Second) // no other change: the pass asked to come back at the threshold
	h.advance(10 * time.Minute)
	evs := h.events(store.EventServiceUnhealthy)
	if len(evs) != 1 {
		t.Fatalf("%d unhealthy events after 11 minutes, want exactly 1", len(evs))
	}
	var d store.UnhealthyData
	if err := json.Unmarshal(evs[0].Data, &d); err != nil || d.Desired != 2 || d.Ready != 1 || !strings.Contains(d.Reason, in.ID) {
		t.Errorf("unhealthy data %+v (%v), want 1 of 2 ready naming %s", d, err, in.ID)
	}
	if evs[0].Service != "order" || evs[0].By == "" || !strings.Contains(evs[0].Message, "readiness failing") {
		t.Errorf("unhealthy event %+v: want service order, a By, the check's summary", evs[0])
	}

	h.ctl.onHealth(healthChange(in, true, false))
	h.advance(time.Minute)
	rec := h.events(store.EventServiceRecovered)
	if len(rec) != 1 {
		t.Fatalf("%d recovered events, want 1", len(rec))
	}
	if err := json.Unmarshal(rec[0].Data, &d); err != nil || !d.Since.Equal(evs[0].Time.Add(-time.Minute)) {
		t.Errorf("recovered data %+v (%v): Since should be when the spell began, %s", d, err, evs[0].Time.Add(-time.Minute))
	}
	if n := len(h.events(store.EventServiceUnhealthy)); n != 1 {
		t.Errorf("%d unhealthy events after recovery, want still 1", n)
	}
}
