package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/router"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// at is a sample observed at t0+off.
type at struct {
	off    time.Duration
	status int
	d      time.Duration
}

// replay observes samples (in time order) for svc revision 1 on a fresh
// Metrics with a 1s bucket and a 10s window, then sets the clock to
// t0+now.
func replay(t *testing.T, samples []at, now time.Duration) *Metrics {
	t.Helper()
	clk := clock.NewFake(t0)
	m := New(Options{Clock: clk.Now, Window: 10 * time.Second, Bucket: time.Second})
	var off time.Duration
	for _, s := range samples {
		clk.Advance(s.off - off)
		off = s.off
		m.Observe(router.Sample{Service: "svc", Revision: 1, Instance: "i1", Status: s.status, Duration: s.d})
	}
	if now < off {
		t.Fatalf("query at %v is before the last sample at %v", now, off)
	}
	clk.Advance(now - off)
	return m
}

func TestWindowCounts(t *testing.T) {
	ms := time.Millisecond
	one := []at{{500 * ms, 200, 10 * ms}}
	tests := []struct {
		name       string
		samples    []at
		now, d     time.Duration
		requests   int64
		start, end time.Duration
	}{
		{"current bucket is not counted", one, 900 * ms, time.Second, 0, -time.Second, 0},
		{"finished bucket is counted", one, time.Second, time.Second, 1, 0, time.Second},
		{"rolls out of a short window", one, 2500 * ms, time.Second, 0, time.Second, 2 * time.Second},
		{"stays in a longer window", one, 2500 * ms, 2 * time.Second, 1, 0, 2 * time.Second},
		{"d rounds up to whole buckets", one, 2 * time.Second, 1500 * ms, 1, 0, 2 * time.Second},
		{"d under a bucket is one bucket", one, time.Second, time.Nanosecond, 1, 0, time.Second},
		{"last moment in the window", one, 10*time.Second + 999*ms, 10 * time.Second, 1, 0, 10 * time.Second},
		{"expires after Window", one, 11 * time.Second, 10 * time.Second, 0, time.Second, 11 * time.Second},
		{"d over Window is clamped", one, 10 * time.Second, time.Hour, 1, 0, 10 * time.Second},
		{"slot reused after a wrap drops the old bucket",
			[]at{{500 * ms, 200, ms}, {11*time.Second + 500*ms, 200, ms}}, 12 * time.Second, time.Hour, 1, 2 * time.Second, 12 * time.Second},
		{"several buckets add up",
			[]at{{0, 200, ms}, {100 * ms, 200, ms}, {1200 * ms, 500, ms}, {3 * time.Second, 404, ms}}, 4 * time.Second, 4 * time.Second, 4, 0, 4 * time.Second},
		{"a gap of empty buckets", []at{{0, 200, ms}, {7 * time.Second, 200, ms}}, 8 * time.Second, 10 * time.Second, 2, -2 * time.Second, 8 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := replay(t, tt.samples, tt.now)
			s := m.Window("svc", 1, tt.d)
			if s.Requests != tt.requests {
				t.Errorf("Requests = %d, want %d", s.Requests, tt.requests)
			}
			if want := t0.Add(tt.start); !s.Start.Equal(want) {
				t.Errorf("Start = %v, want %v", s.Start, want)
			}
			if want := t0.Add(tt.end); !s.End.Equal(want) {
				t.Errorf("End = %v, want %v", s.End, want)
			}
		})
	}
}

func TestWindowStats(t *testing.T) {
	ms := time.Millisecond
	var samples []at
	for i := range 100 { // 1..100ms over two seconds, every 10th a 503
		status := 200
		if i%10 == 9 {
			status = 503
		}
		samples = append(samples, at{time.Duration(i) * 20 * ms, status, time.Duration(i+1) * ms})
	}
	m := replay(t, samples, 3*time.Second)
	s := m.Window("svc", 1, 4*time.Second)
	want := Stats{Requests: 100, Errors: 10, SuccessRate: 0.9, RequestRate: 25}
	if s.Requests != want.Requests || s.Errors != want.Errors || !near(s.SuccessRate, want.SuccessRate) || !near(s.RequestRate, want.RequestRate) {
		t.Errorf("Window = %+v, want %+v", s, want)
	}
	for _, q := range []struct {
		got, exact time.Duration
	}{{s.P50, 50 * ms}, {s.P90, 90 * ms}, {s.P99, 99 * ms}} {
		if (q.got - q.exact).Abs() > q.exact/16 {
			t.Errorf("quantile %v, want %v ± 1/16", q.got, q.exact)
		}
	}
}

func TestWindowEmpty(t *testing.T) {
	m := replay(t, nil, time.Minute)
	for _, s := range []Stats{m.Window("svc", 1, time.Minute), m.Window("nope", 7, time.Minute)} {
		if !s.Empty() || s.SuccessRate != 0 || s.RequestRate != 0 || s.P99 != 0 {
			t.Errorf("empty window = %+v, want zeros", s)
		}
	}
}

func TestWindowSeparatesRevisions(t *testing.T) {
	clk := clock.NewFake(t0)
	m := New(Options{Clock: clk.Now})
	m.Observe(router.Sample{Service: "svc", Revision: 1, Instance: "a", Status: 200})
	m.Observe(router.Sample{Service: "svc", Revision: 2, Instance: "b", Status: 500})
	m.Observe(router.Sample{Service: "svc", Revision: 2, Instance: "c", Status: 200})
	m.Observe(router.Sample{Service: "other", Revision: 1, Instance: "d", Status: 200})
	clk.Advance(time.Second)
	for _, tt := range []struct {
		service          string
		revision         int
		requests, errors int64
	}{{"svc", 1, 1, 0}, {"svc", 2, 2, 1}, {"other", 1, 1, 0}, {"other", 2, 0, 0}} {
		s := m.Window(tt.service, tt.revision, time.Minute)
		if s.Requests != tt.requests || s.Errors != tt.errors {
			t.Errorf("%s rev %d: %d requests, %d errors; want %d, %d", tt.service, tt.revision, s.Requests, s.Errors, tt.requests, tt.errors)
		}
	}
}

func TestWindowAllSumsEveryRevision(t *testing.T) {
	clk := clock.NewFake(t0)
	m := New(Options{Clock: clk.Now})
	m.Observe(router.Sample{Service: "svc", Revision: 1, Instance: "a", Status: 200, Duration: time.Millisecond})
	m.Observe(router.Sample{Service: "svc", Revision: 2, Instance: "b", Status: 500, Duration: time.Millisecond})
	m.Observe(router.Sample{Service: "other", Revision: 1, Instance: "d", Status: 200, Duration: time.Second})
	if s := m.WindowAll(time.Minute); !s.Empty() {
		t.Errorf("the current bucket counted: %+v", s)
	}
	clk.Advance(time.Second)
	s := m.WindowAll(time.Minute)
	if s.Requests != 3 || s.Errors != 1 {
		t.Errorf("%d requests, %d errors; want 3, 1", s.Requests, s.Errors)
	}
	if s.P99 < 900*time.Millisecond || s.P50 > 10*time.Millisecond {
		t.Errorf("quantiles over every revision: p50 %v p99 %v; want about 1ms and 1s", s.P50, s.P99)
	}
}

func TestBucketsAndSamples(t *testing.T) {
	ms := time.Millisecond
	samples := []at{
		{0, 200, 10 * ms}, {100 * ms, 500, 30 * ms}, // second 0: 50%, p99 30ms
		// second 1: nothing
		{2 * time.Second, 200, 100 * ms}, // second 2: 100%, p99 100ms
	}
	m := replay(t, samples, 3*time.Second)
	b := m.Buckets("svc", 1, 3*time.Second)
	if len(b) != 3 || b[0].Requests != 2 || b[1].Requests != 0 || b[2].Requests != 1 {
		t.Fatalf("Buckets = %+v, want 2, 0, 1 requests", b)
	}
	if !b[1].Start.Equal(t0.Add(time.Second)) || !b[1].End.Equal(t0.Add(2*time.Second)) {
		t.Errorf("bucket 1 spans %v-%v", b[1].Start, b[1].End)
	}
	tests := []struct {
		metric Metric
		want   []float64
	}{
		{SuccessRate, []float64{0.5, 1}},
		{RequestRate, []float64{2, 0, 1}},
		{P50, []float64{0.010, 0.100}},
		{P99, []float64{0.030, 0.100}},
	}
	for _, tt := range tests {
		got := m.Samples("svc", 1, 3*time.Second, tt.metric)
		if len(got) != len(tt.want) {
			t.Errorf("Samples(%v) = %v, want %v", tt.metric, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > tt.want[i]/16 {
				t.Errorf("Samples(%v) = %v, want %v (± 1/16)", tt.metric, got, tt.want)
			}
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
