package dashboard

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

func TestCrossSite(t *testing.T) {
	cases := []struct {
		method, origin, site string
		refused              bool
	}{
		{"GET", "", "", false},
		{"POST", "http://dash:7400", "", false},
		{"POST", "", "same-origin", false},
		{"POST", "null", "same-origin", false}, // a form under Referrer-Policy: Chromium sends Origin: null
		{"POST", "http://evil.example", "", true},
		{"POST", "http://dash:7400", "cross-site", true},
		{"POST", "http://dash:7400", "same-site", true},
		{"POST", "", "", true},
		{"DELETE", "http://dash:7401", "", true},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "http://dash:7400/v1/x", nil)
		if c.origin != "" {
			r.Header.Set("Origin", c.origin)
		}
		if c.site != "" {
			r.Header.Set("Sec-Fetch-Site", c.site)
		}
		if got := crossSite(r) != ""; got != c.refused {
			t.Errorf("%s Origin %q Sec-Fetch-Site %q: refused %v, want %v (%s)", c.method, c.origin, c.site, got, c.refused, crossSite(r))
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"": "/", "/services/a?env=b": "/services/a?env=b", "//evil.example/x": "/",
		"http://evil.example/": "/", "services": "/", "/\\evil": "/", // browsers read /\ as //
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionsExpireAndGrantsWorkOnce(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := newSessions(func() time.Time { return now }, time.Hour, time.Minute)
	g, _ := s.grant(User{Name: "alice", Role: "admin"})
	if u, ok := s.redeem(g); !ok || u.Name != "alice" {
		t.Fatalf("first redeem: %v %v", u, ok)
	}
	if _, ok := s.redeem(g); ok {
		t.Error("a grant redeemed twice")
	}
	late, _ := s.grant(User{Name: "bob"})
	now = now.Add(2 * time.Minute)
	if _, ok := s.redeem(late); ok {
		t.Error("an expired grant redeemed")
	}
	id := s.open(User{Name: "alice"}, "")
	if _, ok := s.get(id); !ok {
		t.Error("a fresh session not found")
	}
	now = now.Add(time.Hour)
	if _, ok := s.get(id); ok {
		t.Error("a session past its TTL still found")
	}
}

func TestStateOf(t *testing.T) {
	cases := []struct {
		svc  api.Service
		want string
	}{
		{api.Service{Phase: "Ready"}, "steady"},
		{api.Service{Phase: "Failed"}, "failed"},
		{api.Service{Phase: "Progressing", Canary: &api.Canary{Step: 0, Steps: 3}}, "progressing: step 1 of 3"},
		{api.Service{Phase: "Progressing", Canary: &api.Canary{StepName: "pause: until promoted"}}, "paused"},
		{api.Service{Phase: "Progressing", Canary: &api.Canary{Paused: true}}, "paused"},
		{api.Service{Phase: "Ready", Canary: &api.Canary{Outcome: "RolledBack"}}, "rolled back"},
		{api.Service{Phase: "Ready", Canary: &api.Canary{Outcome: "Promoted"}}, "steady"},
	}
	for _, c := range cases {
		if got := stateOf(c.svc); got.Text != c.want || got.Class == "" {
			t.Errorf("stateOf(%+v) = %+v, want %q with a class", c.svc, got, c.want)
		}
	}
}

func TestSpecDiff(t *testing.T) {
	a := json.RawMessage(`{"run":["./a"],"instances":2,"env":{"X":"1"}}`)
	b := json.RawMessage(`{"run":["./a","-v"],"instances":3,"env":{"X":"1"}}`)
	got := specDiff(a, b)
	want := []diffLine{{"instances", "2", "3"}, {"run[1]", "", `"-v"`}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("specDiff = %+v, want %+v", got, want)
	}
}

func TestStatsOverRecordedHistory(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	at := func(off time.Duration, req, errs int64, p99 float64) api.HistoryPoint {
		return api.HistoryPoint{Time: t0.Add(off), Revisions: []api.HistoryTraffic{{Revision: 1, Role: "stable", Requests: req, Errors: errs,
			RequestRate: float64(req) / 5, P50Seconds: 0.005, P99Seconds: p99}}}
	}
	pts := []api.HistoryPoint{at(0, 1000, 1000, 9), at(30*time.Second, 50, 5, 0.05), at(35*time.Second, 50, 5, 0.04), at(40*time.Second, 0, 0, 0)}
	st := statsOf(pts, 1, "stable")
	if st.Rate != 10 || st.Success != "90%" || st.P50 != "≤ 5 ms" || st.P99 != "≤ 40 ms" {
		t.Errorf("stats %+v; want 10/s, 90%%, p50 ≤ 5 ms, p99 ≤ 40 ms (the oldest point is outside the window)", st)
	}
	if st := statsOf(pts, 2, "canary"); st.Success != "no requests" || st.P99 != "-" {
		t.Errorf("a revision never sampled: %+v", st)
	}
}

func TestChartsSayWhatTheyShow(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	svg := string(lineChart("weight", 200, 100, 100, "%", []string{"w"}, []point{{t0, 0}, {t0.Add(time.Minute), 50}}))
	if !strings.Contains(svg, "<title>weight</title>") || !strings.Contains(svg, "polyline") {
		t.Errorf("line chart without its title or line: %s", svg)
	}
	ticks := string(tickStrip("m", []tick{{status{"pass", "ok"}, "fine"}, {status{"fail", "bad"}, "p99 too high"}}))
	if !strings.Contains(ticks, "fail: p99 too high") || !strings.Contains(ticks, `class="mark"`) {
		t.Errorf("ticks do not carry their verdict and reason in text and shape: %s", ticks)
	}
	if b := newBar(1, 3); !strings.Contains(string(b.SVG), `aria-label="1 of 3 ready"`) {
		t.Errorf("bar without its words: %s", b.SVG)
	}
}
