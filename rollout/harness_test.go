package rollout

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/health"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/router/metrics"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// fakeDriver runs "processes" in memory: Start makes them run, crash and
// Stop end them.
type fakeDriver struct {
	mu     sync.Mutex // guards all fields
	procs  map[string]*workload.Status
	pid    int
	starts int
}

var _ workload.Driver = (*fakeDriver)(nil)

func newFakeDriver() *fakeDriver { return &fakeDriver{procs: map[string]*workload.Status{}, pid: 1000} }

func (d *fakeDriver) Start(_ context.Context, s workload.InstanceSpec) (workload.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p, ok := d.procs[s.ID]; ok && p.Running {
		return *p, nil
	}
	d.pid++
	d.starts++
	p := &workload.Status{ID: s.ID, Running: true, PID: d.pid, StartTime: uint64(d.pid)}
	d.procs[s.ID] = p
	return *p, nil
}

func (d *fakeDriver) Stop(_ context.Context, id string, _ time.Duration) error {
	return d.end(id, "signal: terminated")
}

func (d *fakeDriver) end(id, exit string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.procs[id]
	if !ok {
		return workload.ErrNotFound
	}
	if p.Running {
		p.Running, p.Exit = false, exit
	}
	return nil
}

func (d *fakeDriver) Status(_ context.Context, id string) (workload.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.procs[id]
	if !ok {
		return workload.Status{}, workload.ErrNotFound
	}
	return *p, nil
}

func (d *fakeDriver) Observe(context.Context) ([]workload.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []workload.Status
	for _, p := range d.procs {
		out = append(out, *p)
	}
	return out, nil
}

func (d *fakeDriver) Remove(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.procs, id)
	return nil
}

func (d *fakeDriver) Logs(_ context.Context, id string, _ int) ([]string, error) {
	return []string{id + " says goodbye"}, nil
}

func (d *fakeDriver) running() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, p := range d.procs {
		if p.Running {
			n++
		}
	}
	return n
}

// fakeChecks records what is watched; the test reports health changes.
type fakeChecks struct {
	mu      sync.Mutex // guards watched
	watched map[string]health.Watch
}

func (f *fakeChecks) Watch(w health.Watch) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.watched[w.Target.ID] = w
}

func (f *fakeChecks) Unwatch(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.watched, id)
}

func (f *fakeChecks) Summary(string, health.Kind) string {
	return "failing: GET /healthz -> 503 (3 in a row)"
}
func (f *fakeChecks) Close() {}

// fakePorts hands out ports counting up from 20001; taken are those
// another process listens on.
type fakePorts struct {
	next  int
	taken map[int]bool
}

func (p *fakePorts) Allocate() (int, error) { p.next++; return 20000 + p.next, nil }
func (p *fakePorts) Free(port int) bool     { return !p.taken[port] }

// harness steps the controllers by hand on a fake clock: settle runs
// every pass that is due, one at a time, until none is.
type harness struct {
	t      *testing.T
	store  store.Store
	driver *fakeDriver
	clock  *clock.Fake
	checks *fakeChecks
	values *fakeProvider
	book   *mirror.Book
	counts *metrics.Metrics // the router's counts, for the sequential judges
	images images           // the image store instances of images unpack from
	// platform, when set, runs the revisions (a Kubernetes environment)
	platform workload.Platform
	// prometheus, when set, is the prometheus provider
	prometheus analysis.Provider
	// writer, when set, runs the instances instead of driver alone: it
	// takes their config files too
	writer *fakeConfigWriter
	ctl    *Controller
	ops    *stack.Controller

	mu  sync.Mutex // guards due
	due map[queue.Key]time.Time
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, store: store.NewNotifier(store.NewMemory()), driver: newFakeDriver(), clock: clock.NewFake(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), due: map[queue.Key]time.Time{}, values: &fakeProvider{value: map[int]float64{}}, book: mirror.NewBook()}
	h.counts = metrics.New(metrics.Options{Clock: h.clock.Now})
	h.restartControllers()
	return h
}

// restartControllers builds new controllers over the same store and
// driver, as a restarted server does.
func (h *harness) restartControllers() {
	h.checks = &fakeChecks{watched: map[string]health.Watch{}}
	var driver workload.Driver = h.driver
	if h.writer != nil {
		driver = h.writer
	}
	h.ctl = New(Config{
		Store: h.store, Driver: driver, Ports: &fakePorts{}, Clock: h.clock,
		Restart: workload.DefaultRestartPolicy(), Enqueue: h.enqueue, NewID: h.newID(),
		Checks:    func(func(health.Change)) Checker { return h.checks },
		Providers: h.providers(),
		Mirrors:   h.book, Counts: h.counts,
		Images:   h.images,
		Platform: h.platform,
	})
	h.ops = stack.NewController(h.store, h.clock, h.enqueue)
	// As a starting server's resync does: every service gets a pass.
	h.view(func(tx store.Tx) error {
		svcs, err := tx.ListServices()
		for _, svc := range svcs {
			h.enqueue(queue.ServiceKey(svc.Name), 0)
		}
		return err
	})
}

func (h *harness) providers() map[string]analysis.Provider {
	out := map[string]analysis.Provider{"router": h.values}
	if h.prometheus != nil {
		out["prometheus"] = h.prometheus
	}
	return out
}

func (h *harness) newID() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("%04d", n) }
}

func (h *harness) enqueue(key queue.Key, after time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	at := h.clock.Now().Add(after)
	if cur, ok := h.due[key]; !ok || at.Before(cur) {
		h.due[key] = at
	}
}

// next pops a key due now (within a few ms: "again at once").
func (h *harness) next() (queue.Key, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var keys []queue.Key
	for k, at := range h.due {
		if !at.After(h.clock.Now().Add(10 * time.Millisecond)) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return queue.Key{}, false
	}
	slices.SortFunc(keys, func(a, b queue.Key) int { return strings.Compare(a.String(), b.String()) })
	delete(h.due, keys[0])
	return keys[0], true
}

func (h *harness) settle() {
	h.t.Helper()
	for range 10000 {
		key, ok := h.next()
		if !ok {
			return
		}
		after, err := h.reconcile(key)
		if err != nil {
			h.t.Fatalf("reconcile %s: %v", key, err)
		}
		h.ctl.wg.Wait() // stops in flight finish: the fake driver is instant
		if after > 0 {
			h.enqueue(key, after)
		}
	}
	h.t.Fatal("controllers did not settle within 10000 passes")
}

func (h *harness) reconcile(key queue.Key) (time.Duration, error) {
	switch key.Kind {
	case queue.Operation:
		id, err := key.ID()
		if err != nil {
			return 0, err
		}
		return h.ops.Reconcile(context.Background(), id)
	case queue.Flag:
		return h.ctl.ReconcileFlag(context.Background(), key.Name)
	case queue.Config:
		return h.ctl.ReconcileConfig(context.Background(), key.Name)
	}
	return h.ctl.Reconcile(context.Background(), key.Name)
}

// advance moves the clock and runs what became due.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.clock.Advance(d)
	h.settle()
}

func (h *harness) apply(yaml string) *store.Operation {
	h.t.Helper()
	app, err := spec.Parse("slipway.yaml", []byte(yaml))
	if err != nil {
		h.t.Fatalf("parse: %v", err)
	}
	var op *store.Operation
	err = h.store.Update(context.Background(), func(tx store.Tx) error {
		_, op, err = stack.Apply(tx, app, stack.Source{File: "slipway.yaml", Text: yaml}, h.clock.Now())
		if err != nil {
			return err
		}
		_, err = stack.ApplyFlags(tx, app, stack.Source{File: "slipway.yaml", Text: yaml}, h.clock.Now())
		return err
	})
	if err != nil {
		h.t.Fatalf("apply: %v", err)
	}
	if op != nil {
		h.enqueue(queue.OperationKey(op.ID), 0)
	}
	h.settle()
	return op
}

// markReady reports every running, unready instance of service as ready.
func (h *harness) markReady(service string) {
	h.t.Helper()
	h.settle() // the monitor reports only instances a pass watches
	for _, in := range h.instances(service) {
		if in.State == store.InstanceRunning && !in.Ready {
			h.ctl.onHealth(health.Change{ID: in.ID, PID: in.PID, Kind: health.Readiness, State: health.Passing, Summary: "passing"})
		}
	}
	h.settle()
}

func (h *harness) instances(service string) []store.Instance {
	var ins []store.Instance
	h.view(func(tx store.Tx) error {
		var err error
		ins, err = tx.ListInstances(service)
		return err
	})
	return ins
}

func (h *harness) service(name string) store.Service {
	var svc store.Service
	h.view(func(tx store.Tx) error {
		var err error
		svc, err = tx.GetService(name)
		return err
	})
	return svc
}

func (h *harness) operation(id int64) store.Operation {
	var op store.Operation
	h.view(func(tx store.Tx) error {
		var err error
		op, err = tx.GetOperation(id)
		return err
	})
	return op
}

func (h *harness) events(typ store.EventType) []store.Event {
	var out []store.Event
	h.view(func(tx store.Tx) error {
		evs, err := tx.ListEvents(0, "", 100000)
		for _, e := range evs {
			if e.Type == typ {
				out = append(out, e)
			}
		}
		return err
	})
	return out
}

func (h *harness) view(fn func(tx store.Tx) error) {
	h.t.Helper()
	if err := h.store.View(context.Background(), fn); err != nil {
		h.t.Fatalf("view: %v", err)
	}
}

// live counts instances not on their way out, and the ready ones.
func live(ins []store.Instance) (n, ready int) {
	for _, in := range ins {
		if in.State == store.InstanceStopping {
			continue
		}
		n++
		if in.Ready && in.State == store.InstanceRunning {
			ready++
		}
	}
	return n, ready
}

// fakeProvider answers every metric with the value set for the canary
// revision (no value: no data), and counts what it was asked.
type fakeProvider struct {
	mu    sync.Mutex // guards value, asked, during
	value map[int]float64
	asked int
	// during, when set, runs once inside the next measurement: something
	// a person does while the controller's pass is under way.
	during func()
}

func (f *fakeProvider) Measure(_ context.Context, q analysis.Query) (analysis.Observation, error) {
	f.mu.Lock()
	during := f.during
	f.during = nil
	f.mu.Unlock()
	if during != nil {
		during()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	v, ok := f.value[q.Canary]
	if !ok {
		return analysis.Observation{}, nil
	}
	return analysis.Observation{Value: v, Count: 100}, nil
}

func (f *fakeProvider) set(rev int, v float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.value[rev] = v
}
