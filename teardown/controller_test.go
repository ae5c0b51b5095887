package teardown

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
	"github.com/slipway-dev/slipway/workload"
)

var epoch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// platform is a hand-written stand-in for the driver, the router and the
// environment's controllers: it records what was done to it, and fails
// to stop the instances in refuse.
type platform struct {
	mu      sync.Mutex // guards every field
	running bool
	starts  int
	drained []string
	stopped []string
	removed []string
	refuse  map[string]bool
}

func (p *platform) Running() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.running }
func (p *platform) Stop()         { p.mu.Lock(); defer p.mu.Unlock(); p.running = false }
func (p *platform) Start()        { p.mu.Lock(); defer p.mu.Unlock(); p.running = true; p.starts++ }

func (p *platform) Drain(_ context.Context, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drained = append(p.drained, id)
	return nil
}

// stopper adapts platform to Stopper (its Stop is the Controllers').
type stopper struct{ p *platform }

func (s stopper) Stop(_ context.Context, id string, _ time.Duration) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if s.p.refuse[id] {
		return errors.New("the process would not die")
	}
	if id == "gone-1" {
		return workload.ErrNotFound
	}
	s.p.stopped = append(s.p.stopped, id)
	return nil
}

func (s stopper) Remove(_ context.Context, id string) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	s.p.removed = append(s.p.removed, id)
	return nil
}

// fixture is one environment ("staging") with a hub of its own, both
// real SQLite stores.
type fixture struct {
	hub, env store.Store
	p        *platform
	clock    *clock.Fake
}

func openStore(t *testing.T, name string) store.Store {
	t.Helper()
	s, err := sqlite.Open(filepath.Join(t.TempDir(), name+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{hub: openStore(t, "hub"), env: openStore(t, "staging"), p: &platform{running: true}, clock: clock.NewFake(epoch)}
	ctx := context.Background()
	err := f.hub.Update(ctx, func(tx store.Tx) error {
		return tx.PutEnvironment(store.Environment{Name: "staging", Router: "127.0.0.1:7481", CreatedAt: epoch,
			Down: &store.Teardown{By: "ana", RequestedAt: epoch}})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = f.env.Update(ctx, func(tx store.Tx) error {
		rev, err := tx.CreateRevision(store.Revision{Service: "web", State: store.RevisionStable,
			Spec: spec.Service{Name: "web", Route: spec.Route{Path: "/", DrainTimeout: spec.Duration{Duration: time.Second}}}})
		if err != nil {
			return err
		}
		if err := tx.PutService(store.Service{Name: "web", Revision: rev.Number, Stable: rev.Number, Phase: store.PhaseReady}); err != nil {
			return err
		}
		for _, id := range []string{"web-1", "web-2", "gone-1"} {
			in := store.Instance{ID: id, Service: "web", Revision: rev.Number, State: store.InstanceRunning, Ready: true}
			if err := tx.PutInstance(in); err != nil {
				return err
			}
		}
		_, err = tx.CreateOperation(store.Operation{Kind: store.KindApply, State: store.OperationRunning})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) controller() *Controller {
	return New(Config{Hub: f.hub, Clock: f.clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Env: func(name string) (Env, bool) {
			if name != "staging" {
				return Env{}, false
			}
			return Env{Store: f.env, Stopper: stopper{f.p}, Drainer: f.p, Controllers: f.p}, true
		}})
}

// step runs one pass and returns the step Decide chose for it.
func (f *fixture) step(t *testing.T, c *Controller) (Step, time.Duration, error) {
	t.Helper()
	ctx := context.Background()
	rec, err := c.record(ctx, "staging")
	if err != nil {
		t.Fatal(err)
	}
	st, err := observe(ctx, f.env)
	if err != nil {
		t.Fatal(err)
	}
	want := Decide(st.observed(rec, f.p.Running()))
	after, err := c.Reconcile(ctx, "staging")
	return want, after, err
}

// TestReconcileStepByStep takes an environment down one pass at a time,
// with one instance that will not stop at first.
func TestReconcileStepByStep(t *testing.T) {
	f := newFixture(t)
	f.p.refuse = map[string]bool{"web-2": true}
	c := f.controller()
	var steps []Step
	for range 20 {
		s, after, err := f.step(t, c)
		if s == DrainAndStop && err != nil && f.p.refuse["web-2"] {
			f.p.mu.Lock()
			f.p.refuse = nil // it stops on the next try
			f.p.mu.Unlock()
			steps = append(steps, s)
			continue
		}
		if err != nil {
			t.Fatalf("pass %d (%s): %v", len(steps), s, err)
		}
		steps = append(steps, s)
		if after == 0 {
			break
		}
	}
	want := []Step{StopControllers, FailOperations, LeaveRotation, DrainAndStop, DrainAndStop, RemoveServices, Finish}
	if !slices.Equal(steps, want) {
		t.Fatalf("steps %v, want %v", steps, want)
	}
	f.checkDown(t)
	if s, after, err := f.step(t, c); s != Done || after != 0 || err != nil {
		t.Errorf("a pass once down: %s, %s, %v", s, after, err)
	}
}

// checkDown checks the end state: nothing left, history kept, the
// registry's record down, the controllers running again.
func (f *fixture) checkDown(t *testing.T) {
	t.Helper()
	if !f.p.Running() || f.p.starts != 1 {
		t.Errorf("controllers after the take-down: running %v, started %d times", f.p.Running(), f.p.starts)
	}
	f.p.mu.Lock()
	slices.Sort(f.p.stopped)
	slices.Sort(f.p.removed)
	if !slices.Equal(f.p.stopped, []string{"web-1", "web-2"}) || !slices.Equal(f.p.removed, []string{"gone-1", "web-1", "web-2"}) {
		t.Errorf("stopped %v, removed %v", f.p.stopped, f.p.removed)
	}
	f.p.mu.Unlock()
	err := f.env.View(context.Background(), func(tx store.Tx) error {
		svcs, _ := tx.ListServices()
		ins, _ := tx.ListInstances("")
		ops, _ := tx.ListOperations(false, 0)
		revs, _ := tx.ListRevisions("web")
		if len(svcs) != 0 || len(ins) != 0 {
			t.Errorf("left: %d services, %d instances", len(svcs), len(ins))
		}
		if len(ops) != 1 || ops[0].State != store.OperationFailed {
			t.Errorf("operations: %+v", ops)
		}
		if len(revs) != 1 || revs[0].State != store.RevisionSuperseded {
			t.Errorf("revisions: %+v", revs)
		}
		evs, err := tx.ListEventsOfType(0, []store.EventType{store.EventEnvironmentDownStarted, store.EventServiceRemoved, store.EventEnvironmentDown}, 0)
		var types []store.EventType
		for _, e := range evs {
			types = append(types, e.Type)
		}
		if !slices.Equal(types, []store.EventType{store.EventEnvironmentDownStarted, store.EventServiceRemoved, store.EventEnvironmentDown}) {
			t.Errorf("events %v", types)
		}
		// State and events agree: the failed operation has its event.
		if problems, err := store.Check(tx); err != nil || len(problems) > 0 {
			t.Errorf("store check after the take-down: %v %v", problems, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.controller().record(context.Background(), "staging")
	if err != nil {
		t.Fatal(err)
	}
	if rec.GoingDown() || rec.LastDown == nil || rec.LastDown.By != "ana" || !rec.LastDown.DoneAt.Equal(epoch) {
		t.Errorf("registry record once down: %+v, last down %+v", rec, rec.LastDown)
	}
}

// TestReconcileResumes stops after each step with a new Controller, as
// a restarted server does (its controllers were not started: the
// environment was going down).
func TestReconcileResumes(t *testing.T) {
	f := newFixture(t)
	var steps []Step
	for range 10 {
		f.p.mu.Lock()
		if len(steps) > 0 {
			f.p.running = false // a restart starts no controller of an environment going down
		}
		f.p.mu.Unlock()
		s, after, err := f.step(t, f.controller())
		if err != nil {
			t.Fatalf("pass %d (%s): %v", len(steps), s, err)
		}
		steps = append(steps, s)
		if after == 0 {
			break
		}
	}
	want := []Step{StopControllers, FailOperations, LeaveRotation, DrainAndStop, RemoveServices, Finish}
	if !slices.Equal(steps, want) {
		t.Fatalf("steps %v, want %v", steps, want)
	}
	f.checkDown(t)
}

// TestReconcileLeavesOthers: an environment not going down, one not in
// the registry and one the server does not host.
func TestReconcileLeavesOthers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	err := f.hub.Update(ctx, func(tx store.Tx) error {
		e, err := tx.GetEnvironment("staging")
		if err != nil {
			return err
		}
		e.Down = nil
		if err := tx.PutEnvironment(e); err != nil {
			return err
		}
		return tx.PutEnvironment(store.Environment{Name: "prod", Down: &store.Teardown{RequestedAt: epoch}})
	})
	if err != nil {
		t.Fatal(err)
	}
	c := f.controller()
	for _, name := range []string{"staging", "dev"} {
		if after, err := c.Reconcile(ctx, name); after != 0 || err != nil {
			t.Errorf("%s: %s, %v", name, after, err)
		}
	}
	if !f.p.Running() || len(f.p.stopped) != 0 {
		t.Errorf("an environment not going down was touched: running %v, stopped %v", f.p.Running(), f.p.stopped)
	}
	if _, err := c.Reconcile(ctx, "prod"); err == nil {
		t.Error("prod, going down but not open here: no error")
	}
}
