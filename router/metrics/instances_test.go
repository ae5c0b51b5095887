package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/router"
)

// TestInstanceWindows: only watched instances are counted, each side
// apart, from the watch on, and a watch nobody renews goes.
func TestInstanceWindows(t *testing.T) {
	clk := clock.NewFake(t0)
	m := New(Options{Clock: clk.Now, Window: 10 * time.Second, Bucket: time.Second})
	hit := func(id string, status int) {
		m.Observe(router.Sample{Service: "svc", Revision: 1, Instance: id, Status: status, Duration: time.Millisecond})
	}
	hit("a", 500) // before the watch: not kept
	m.Watch([]string{"a", "b"}, 5*time.Second)
	ix := m.index.Load()
	m.Watch([]string{"a"}, 5*time.Second)
	if m.index.Load() != ix {
		t.Error("a renewal right after the watch copied the index")
	}
	for range 3 {
		hit("a", 500)
		hit("b", 200)
		hit("c", 200) // never watched
	}
	hit("a", 200)
	clk.Advance(time.Second)

	a := m.InstanceWindow([]string{"a"}, time.Second)
	if a.Requests != 4 || a.Errors != 3 {
		t.Errorf("a: %d requests, %d errors; want 4, 3", a.Requests, a.Errors)
	}
	if ab := m.InstanceWindow([]string{"a", "b", "c"}, time.Second); ab.Requests != 7 {
		t.Errorf("a, b and c: %d requests, want 7 (c is not watched)", ab.Requests)
	}
	if s := m.InstanceSamples([]string{"b"}, 2*time.Second, SuccessRate); len(s) != 1 || s[0] != 1 {
		t.Errorf("b's samples %v, want [1]", s)
	}

	p := m.Provider()
	obs, err := p.Measure(context.Background(), analysis.Query{Service: "svc", Metric: "successRate", Window: time.Second,
		CanaryInstances: []string{"a"}, BaselineInstances: []string{"b"}})
	if err != nil || obs.Count != 4 || obs.Value != 0.25 {
		t.Errorf("canary a: %+v %v, want 4 requests at 0.25", obs, err)
	}
	obs, _ = p.Measure(context.Background(), analysis.Query{Service: "svc", Metric: "successRate", Window: 2 * time.Second,
		Compare: true, CanaryInstances: []string{"a"}, BaselineInstances: []string{"b"}})
	if len(obs.Canary) != 1 || len(obs.Baseline) != 1 || obs.Canary[0] != 0.25 || obs.Baseline[0] != 1 {
		t.Errorf("a against b: %+v", obs)
	}

	clk.Advance(5 * time.Second)
	m.Watch([]string{"b"}, 5*time.Second) // a's watch expired: dropped
	if _, ok := m.index.Load().watched["a"]; ok {
		t.Error("a's expired watch is still kept")
	}
	m.Forget("b")
	if len(m.index.Load().watched) != 0 {
		t.Error("a forgotten instance's window is still kept")
	}
}

// TestLapsedWatchGoesAtNextRequest: once a watch lapses, the watched
// instance's next request drops it (its window is not kept, nor fed, for
// a judge that stopped asking), and leaves other watches be.
func TestLapsedWatchGoesAtNextRequest(t *testing.T) {
	clk := clock.NewFake(t0)
	m := New(Options{Clock: clk.Now, Window: 10 * time.Second, Bucket: time.Second})
	hit := func(id string) {
		m.Observe(router.Sample{Service: "svc", Revision: 1, Instance: id, Status: 200, Duration: time.Millisecond})
	}
	m.Watch([]string{"a"}, 5*time.Second)
	m.Watch([]string{"b"}, time.Minute)
	hit("a")
	hit("b") // their series exist
	clk.Advance(5 * time.Second)
	ix := m.index.Load()
	hit("b")
	if m.index.Load() != ix {
		t.Error("a request of a live watch changed the index")
	}
	hit("a")
	w := m.index.Load().watched
	if _, ok := w["a"]; ok {
		t.Error("a's lapsed watch is still kept after its request")
	}
	if _, ok := w["b"]; !ok {
		t.Error("b's live watch was dropped")
	}
}
