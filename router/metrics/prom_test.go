package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/router"
)

// scrape GETs m's Handler over HTTP and parses the text exposition.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}
	return mfs
}

// family returns family name's metrics as "k=v,k=v" label strings (in
// the exposition's label order) mapped to their metric.
func family(mfs map[string]*dto.MetricFamily, name string) map[string]*dto.Metric {
	out := map[string]*dto.Metric{}
	if mf := mfs[name]; mf != nil {
		for _, m := range mf.Metric {
			var ls []string
			for _, l := range m.Label {
				ls = append(ls, l.GetName()+"="+l.GetValue())
			}
			out[strings.Join(ls, ",")] = m
		}
	}
	return out
}

func newTestMetrics(opts Options) (*Metrics, *clock.Fake) {
	clk := clock.NewFake(t0)
	opts.Clock = clk.Now
	return New(opts), clk
}

func TestRequestsByCodeClass(t *testing.T) {
	m, _ := newTestMetrics(Options{})
	for _, status := range []int{101, 200, 204, 201, 302, 404, 499, 500, 503, 700} {
		m.Observe(router.Sample{Service: "shop", Revision: 3, Instance: "shop-3-a", Status: status, Duration: time.Millisecond})
	}
	got := family(scrape(t, m), "slipway_router_requests_total")
	want := map[string]float64{"1xx": 1, "2xx": 3, "3xx": 1, "4xx": 2, "5xx": 3}
	if len(got) != len(want) {
		t.Errorf("%d series, want %d: %v", len(got), len(want), got)
	}
	for class, n := range want {
		s := got["code_class="+class+",instance=shop-3-a,revision=3,service=shop"]
		if s.GetCounter().GetValue() != n {
			t.Errorf("code_class %s = %v, want %v", class, s.GetCounter().GetValue(), n)
		}
	}
}

func TestDurationHistogram(t *testing.T) {
	m, _ := newTestMetrics(Options{})
	for _, d := range []time.Duration{500 * time.Microsecond, 3 * time.Millisecond, 200 * time.Millisecond, 20 * time.Second} {
		m.Observe(router.Sample{Service: "shop", Revision: 3, Instance: "a", Status: 200, Duration: d})
		m.Observe(router.Sample{Service: "shop", Revision: 3, Instance: "b", Status: 200, Duration: d})
	}
	mfs := scrape(t, m)
	if typ := mfs["slipway_router_request_duration_seconds"].GetType(); typ != dto.MetricType_HISTOGRAM {
		t.Fatalf("duration type = %v", typ)
	}
	h := family(mfs, "slipway_router_request_duration_seconds")["revision=3,service=shop"].GetHistogram()
	if h.GetSampleCount() != 8 || !near(h.GetSampleSum(), 2*20.2035) {
		t.Errorf("count %d sum %v, want 8, 40.407", h.GetSampleCount(), h.GetSampleSum())
	}
	cumulative := map[float64]uint64{.001: 2, .0025: 2, .005: 4, .25: 6, 10: 6}
	for _, b := range h.Bucket {
		if want, ok := cumulative[b.GetUpperBound()]; ok && b.GetCumulativeCount() != want {
			t.Errorf("le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if len(h.Bucket) != len(DurationBuckets)+1 { // and +Inf
		t.Errorf("%d buckets, want %d", len(h.Bucket), len(DurationBuckets)+1)
	}
}

func TestStandardCollectors(t *testing.T) {
	m, _ := newTestMetrics(Options{})
	mfs := scrape(t, m)
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if mfs[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if mfs["slipway_router_in_flight"] != nil {
		t.Error("in-flight without an InFlight source")
	}
}

func TestInFlight(t *testing.T) {
	m, _ := newTestMetrics(Options{InFlight: func() map[string]int64 { return map[string]int64{"a": 3, "new": 1} }})
	m.Observe(router.Sample{Service: "shop", Revision: 3, Instance: "a", Status: 200})
	got := family(scrape(t, m), "slipway_router_in_flight")
	want := map[string]float64{"instance=a,revision=3,service=shop": 3, "instance=new,revision=,service=": 1}
	if len(got) != len(want) {
		t.Errorf("in-flight series %v, want %v", got, want)
	}
	for k, v := range want {
		if g := got[k].GetGauge().GetValue(); g != v {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
}

func TestForget(t *testing.T) {
	m, clk := newTestMetrics(Options{InFlight: func() map[string]int64 { return map[string]int64{"a": 0} }})
	for _, id := range []string{"a", "a", "b"} {
		m.Observe(router.Sample{Service: "shop", Revision: 3, Instance: id, Status: 200})
	}
	m.Forget("a")
	mfs := scrape(t, m)
	reqs := family(mfs, "slipway_router_requests_total")
	for k := range reqs {
		if strings.Contains(k, "instance=a") {
			t.Errorf("after Forget(a): %s left", k)
		}
	}
	if b := reqs["code_class=2xx,instance=b,revision=3,service=shop"]; b.GetCounter().GetValue() != 1 {
		t.Errorf("after Forget(a): b = %v, want 1", b)
	}
	if got := family(mfs, "slipway_router_in_flight")["instance=a,revision=,service="]; got == nil {
		t.Error("in-flight of a forgotten instance keeps its labels")
	}
	if h := family(mfs, "slipway_router_request_duration_seconds")["revision=3,service=shop"]; h.GetHistogram().GetSampleCount() != 3 {
		t.Errorf("revision histogram after Forget: %v, want 3 samples", h)
	}
	clk.Advance(time.Second)
	if s := m.Window("shop", 3, time.Minute); s.Requests != 3 {
		t.Errorf("window after Forget: %d requests, want 3", s.Requests)
	}

	m.Observe(router.Sample{Service: "shop", Revision: 3, Instance: "a", Status: 200})
	a := family(scrape(t, m), "slipway_router_requests_total")["code_class=2xx,instance=a,revision=3,service=shop"]
	if a.GetCounter().GetValue() != 1 {
		t.Errorf("a counts %v after coming back, want 1", a)
	}
}

func TestForgetRevision(t *testing.T) {
	m, clk := newTestMetrics(Options{})
	m.Observe(router.Sample{Service: "shop", Revision: 3, Instance: "a", Status: 200})
	m.Observe(router.Sample{Service: "shop", Revision: 4, Instance: "b", Status: 200})
	m.ForgetRevision("shop", 3)
	mfs := scrape(t, m)
	for _, name := range []string{"slipway_router_requests_total", "slipway_router_request_duration_seconds"} {
		for k := range family(mfs, name) {
			if strings.Contains(k, "revision=3") {
				t.Errorf("%s{%s} left after ForgetRevision", name, k)
			}
		}
		if len(family(mfs, name)) == 0 {
			t.Errorf("%s: revision 4's series are gone", name)
		}
	}
	clk.Advance(time.Second)
	if s := m.Window("shop", 3, time.Minute); !s.Empty() {
		t.Errorf("window of a forgotten revision: %+v", s)
	}
}
