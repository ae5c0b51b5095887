package history

import (
	"context"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/metrics"
	"github.com/slipway-dev/slipway/store"
)

var t0 = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// fixture is a memory store and real router metrics on one fake clock.
type fixture struct {
	clk *clock.Fake
	st  *store.Memory
	m   *metrics.Metrics
	rec *Recorder
}

func newFixture(t *testing.T, keep int) *fixture {
	f := &fixture{clk: clock.NewFake(t0), st: store.NewMemory()}
	f.m = metrics.New(metrics.Options{Clock: f.clk.Now})
	f.rec = New(Config{Store: f.st, Metrics: f.m, Clock: f.clk, Every: 5 * time.Second, Keep: keep})
	return f
}

func (f *fixture) put(t *testing.T, s store.Service) {
	t.Helper()
	err := f.st.Update(context.Background(), func(tx store.Tx) error {
		if old, err := tx.GetService(s.Name); err == nil {
			s.StoreVersion = old.StoreVersion
		}
		return tx.PutService(s)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// serve observes n requests of svc's revision (failed ones answer 500),
// then lets the interval pass.
func (f *fixture) serve(svc string, rev, n, failed int) {
	for i := range n {
		status := 200
		if i < failed {
			status = 500
		}
		f.m.Observe(router.Sample{Service: svc, Revision: rev, Instance: "i", Status: status, Duration: 3 * time.Millisecond})
	}
}

func (f *fixture) record(t *testing.T) {
	t.Helper()
	f.clk.Advance(5 * time.Second)
	if err := f.rec.Record(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRecordsCanaryWeightAndEachRevision(t *testing.T) {
	f := newFixture(t, 10)
	f.put(t, store.Service{Name: "order", Revision: 2, Stable: 1, Phase: store.PhaseProgressing,
		Canary: &store.Canary{Revision: 2, Stable: 1, Weight: 20}})
	f.serve("order", 1, 40, 0)
	f.serve("order", 2, 10, 5)
	f.record(t)
	pts, ok := f.rec.Service("order", time.Time{})
	if !ok || len(pts) != 1 {
		t.Fatalf("points: %v %+v", ok, pts)
	}
	p := pts[0]
	if p.Weight != 20 || p.Mismatch != -1 || len(p.Revisions) != 2 {
		t.Fatalf("point %+v", p)
	}
	st, ca := p.Revisions[0], p.Revisions[1]
	if st.Revision != 1 || st.Role != RoleStable || st.Requests != 40 || st.SuccessRate != 1 {
		t.Errorf("stable %+v", st)
	}
	if ca.Revision != 2 || ca.Role != RoleCandidate || ca.Requests != 10 || ca.Errors != 5 || ca.SuccessRate != 0.5 || ca.RequestRate != 2 {
		t.Errorf("candidate %+v", ca)
	}
	if ca.P50 <= 0 || ca.P99 < ca.P50 {
		t.Errorf("candidate quantiles p50 %v p99 %v", ca.P50, ca.P99)
	}
	r := f.rec.Router(time.Time{})
	if len(r) != 1 || r[0].Revisions[0].Requests != 50 || r[0].Revisions[0].Errors != 5 {
		t.Errorf("router %+v", r)
	}
}

func TestPromotedCanaryHasOneRevisionAndNoWeight(t *testing.T) {
	f := newFixture(t, 10)
	f.put(t, store.Service{Name: "order", Revision: 2, Stable: 2, Phase: store.PhaseReady,
		Canary: &store.Canary{Revision: 2, Stable: 1, Weight: 100, Outcome: store.CanaryPromoted}})
	f.serve("order", 2, 5, 0)
	f.record(t)
	pts, _ := f.rec.Service("order", time.Time{})
	if p := pts[0]; p.Weight != 0 || len(p.Revisions) != 1 || p.Revisions[0].Revision != 2 || p.Revisions[0].Requests != 5 {
		t.Errorf("point %+v", p)
	}
}

func TestRingsAreBoundedAndSince(t *testing.T) {
	f := newFixture(t, 3)
	f.put(t, store.Service{Name: "a", Revision: 1, Stable: 1})
	for range 5 {
		f.record(t)
	}
	pts, _ := f.rec.Service("a", time.Time{})
	if len(pts) != 3 || !pts[0].T.Equal(t0.Add(15*time.Second)) || !pts[2].T.Equal(t0.Add(25*time.Second)) {
		t.Fatalf("kept %d points from %v to %v; want the last 3", len(pts), pts[0].T, pts[len(pts)-1].T)
	}
	if got, _ := f.rec.Service("a", t0.Add(20*time.Second)); len(got) != 1 || !got[0].T.Equal(t0.Add(25*time.Second)) {
		t.Errorf("since 20s: %+v", got)
	}
	if got := f.rec.Router(t0.Add(time.Hour)); len(got) != 0 {
		t.Errorf("since the future: %+v", got)
	}
}

func TestRemovedServiceLosesItsRing(t *testing.T) {
	f := newFixture(t, 3)
	f.put(t, store.Service{Name: "a", Revision: 1, Stable: 1})
	f.record(t)
	err := f.st.Update(context.Background(), func(tx store.Tx) error { return tx.DeleteService("a") })
	if err != nil {
		t.Fatal(err)
	}
	f.record(t)
	if _, ok := f.rec.Service("a", time.Time{}); ok {
		t.Error("a removed service still has points")
	}
}

// TestRecordWhileRead: the API reads rings while Run records (go test
// -race checks the locking; the reads see whole points, oldest first).
func TestRecordWhileRead(t *testing.T) {
	f := newFixture(t, 50)
	f.put(t, store.Service{Name: "a", Revision: 1, Stable: 1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			f.serve("a", 1, 3, 1)
			if err := f.rec.Record(context.Background()); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			if pts, _ := f.rec.Service("a", time.Time{}); len(pts) != 50 {
				t.Errorf("%d points kept; want 50", len(pts))
			}
			return
		default:
		}
		pts, _ := f.rec.Service("a", time.Time{})
		for i := 1; i < len(pts); i++ {
			if pts[i].T.Before(pts[i-1].T) || len(pts[i].Revisions) != 1 {
				t.Fatalf("point %d out of order or torn: %+v", i, pts[i])
			}
		}
		_ = f.rec.Router(time.Time{})
	}
}
