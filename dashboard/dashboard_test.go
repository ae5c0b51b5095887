package dashboard

import (
	"encoding/json"
	"math"
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
	if empty := string(lineChart("weight", 200, 100, 100, "%", []string{"w"}, nil)); !strings.Contains(empty, "nothing recorded yet") || strings.Contains(empty, "00:00:00") {
		t.Errorf("a chart of nothing: %s", empty)
	}
	ticks := string(tickStrip("m", []tick{{status{"pass", "ok"}, "fine"}, {status{"fail", "bad"}, "p99 too high"},
		{status{"inconclusive", "wait"}, "too few"}, {status{"pending", "busy"}, "collecting"}}))
	if !strings.Contains(ticks, "fail: p99 too high") || !strings.Contains(ticks, "inconclusive: too few") || !strings.Contains(ticks, `<path d="M16 2 l10 10 M26 2 l-10 10" class="mark"/>`) ||
		!strings.Contains(ticks, `<path d="M32 7 h8" class="mark"/>`) || !strings.Contains(ticks, `<circle cx="51" cy="7" r="5" class="busy"/>`) {
		t.Errorf("ticks do not carry their verdict and reason in text, and a shape each: %s", ticks)
	}
	if b := newBar(1, 3); !strings.Contains(string(b.SVG), `aria-label="1 of 3 ready"`) {
		t.Errorf("bar without its words: %s", b.SVG)
	}
}

// TestSequentialComparison: a sequentially judged comparison shows its
// ratio and interval against 1 and what is allowed, in words and drawn;
// an interval still unbounded above says so.
func TestSequentialComparison(t *testing.T) {
	m := api.MetricRun{Name: "latency", Judge: judgeSequential, Measurements: []api.Measurement{
		{Verdict: "inconclusive", NoData: true, Stats: map[string]float64{"estimate": 1.8, "lower": 0.9, "upper": math.MaxFloat64, "minEffect": 0.5, "alpha": 0.05, "canarySamples": 40, "baselineSamples": 200}},
	}}
	sv := sequentialOf(m)
	if sv == nil || sv.Upper != "unbounded" || sv.Allowed != "1.5" || sv.Level != "95%" || !strings.Contains(string(sv.SVG), "unbounded above so far") {
		t.Fatalf("sequential view %+v", sv)
	}
	m.Measurements = append(m.Measurements, api.Measurement{Verdict: "fail", Stats: map[string]float64{"estimate": 2.4, "lower": 1.6, "upper": 3.1, "minEffect": 0.5, "alpha": 0.05}})
	if sv := sequentialOf(m); sv.Estimate != "2.4" || sv.Lower != "1.6" || sv.Upper != "3.1" || !strings.Contains(string(sv.SVG), `aria-label="canary/baseline ratio 2.4, interval 1.6 to 3.1; 1 is no change, 1.5 the most allowed"`) {
		t.Errorf("sequential view %+v", sv)
	}
	if m.Judge = judgeCompare; sequentialOf(m) != nil {
		t.Error("an interval comparison drawn as a sequential one")
	}
}
