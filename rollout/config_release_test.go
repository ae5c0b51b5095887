package rollout

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// fakeConfigWriter is the fake driver with config files: it keeps the
// version of each config every instance got, at its start or written
// since, and every write.
type fakeConfigWriter struct {
	*fakeDriver
	mu     sync.Mutex     // guards has, writes, specs
	has    map[string]int // by instance ID, of config "settings"
	writes []string       // "ID=VERSION", in order
	// specs, when set, keeps what each instance was started with
	specs map[string]workload.InstanceSpec
}

var _ workload.ConfigWriter = (*fakeConfigWriter)(nil)

func (w *fakeConfigWriter) Start(ctx context.Context, s workload.InstanceSpec) (workload.Status, error) {
	w.mu.Lock()
	for _, f := range s.Configs {
		w.has[s.ID] = f.Version
	}
	if w.specs != nil {
		w.specs[s.ID] = s
	}
	w.mu.Unlock()
	return w.fakeDriver.Start(ctx, s)
}

func (w *fakeConfigWriter) ConfigPath(id, name string) string {
	return "/run/slipway/instance/config/" + name + ".json"
}

func (w *fakeConfigWriter) WriteConfig(_ context.Context, id string, f workload.ConfigFile) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.has[id] = f.Version
	w.writes = append(w.writes, id+"="+strconv.Itoa(f.Version))
	return nil
}

func (w *fakeConfigWriter) version(id string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.has[id]
}

const releasedConfig = `configs:
  settings:
    service: order
    values: {timeoutMs: TIMEOUT}
`

// codeAndConfig is the canary spec at version v with the config's
// timeoutMs.
func codeAndConfig(v, timeout string) string {
	return canaryVersion(v) + strings.Replace(releasedConfig, "TIMEOUT", timeout, 1)
}

// applyAll applies a spec with its configs as the API's apply does:
// the config plan checked outside the transaction, then the services,
// the ties and the versions in one.
func (h *harness) applyAll(yaml string) *store.Operation {
	h.t.Helper()
	app, err := spec.Parse("slipway.yaml", []byte(yaml))
	if err != nil {
		h.t.Fatalf("parse: %v", err)
	}
	src := stack.Source{File: "slipway.yaml", Text: yaml}
	var plan stack.ConfigPlan
	h.view(func(tx store.Tx) (err error) {
		plan, err = stack.PlanConfigs(tx, app, nil, src, h.clock.Now())
		return err
	})
	if err := stack.CheckConfigPlan(context.Background(), app, src.File, plan); err != nil {
		h.t.Fatal(err)
	}
	var op *store.Operation
	err = h.store.Update(context.Background(), func(tx store.Tx) error {
		if _, op, err = stack.Apply(tx, app, src, h.clock.Now()); err != nil {
			return err
		}
		if err := stack.TieConfigs(tx, &plan, stack.OperationMoves(op)); err != nil {
			return err
		}
		return stack.ApplyConfigs(tx, plan, h.clock.Now())
	})
	if err != nil {
		h.t.Fatalf("apply: %v", err)
	}
	if op != nil {
		h.enqueue(queue.OperationKey(op.ID), 0)
	}
	for _, v := range plan.Next {
		h.enqueue(queue.ConfigKey(v.Name), 0)
	}
	h.settle()
	return op
}

func (h *harness) delivery() store.ConfigDelivery {
	var d store.ConfigDelivery
	h.view(func(tx store.Tx) (err error) {
		d, err = tx.GetConfigDelivery("settings")
		return err
	})
	return d
}

// startRelease deploys v1 with config v1 (timeoutMs 2000), then applies
// v2 of the code with timeoutMs 3000: a canary that carries config v2.
func startRelease(t *testing.T) (*harness, *store.Operation) {
	h := newHarness(t)
	h.writer = &fakeConfigWriter{fakeDriver: h.driver, has: map[string]int{}}
	h.restartControllers()
	h.applyAll(codeAndConfig("v1", "2000"))
	h.markReady("order")
	if d := h.delivery(); d.Version != 1 || d.Phase != store.DeliverySucceeded {
		t.Fatalf("the first version: %+v", d)
	}
	h.values.set(2, 1.0)
	op := h.applyAll(codeAndConfig("v2", "3000"))
	h.markReady("order")
	d := h.delivery()
	if d.Version != 2 || d.Previous != 1 || d.Revision != 2 || d.Phase != store.DeliveryProgressing || d.Step != 0 {
		t.Fatalf("the released version's delivery: %+v", d)
	}
	for _, in := range h.instances("order") {
		if want := in.Revision; h.writer.version(in.ID) != want {
			t.Fatalf("instance %s of revision %d has config v%d, want v%d", in.ID, in.Revision, h.writer.version(in.ID), want)
		}
	}
	if len(h.writer.writes) != 0 {
		t.Fatalf("files written to running instances: %v (the candidate reads its version at start, stable keeps its own)", h.writer.writes)
	}
	return h, op
}

// edit tries a run-time change of the config.
func (h *harness) edit(e stack.ConfigEdit) error {
	return h.store.View(context.Background(), func(tx store.Tx) error {
		_, _, err := stack.NextConfig(tx, "settings", e, h.clock.Now())
		return err
	})
}

func TestConfigReleasedWithCanaryIsPromotedWithIt(t *testing.T) {
	h, op := startRelease(t)
	err := h.edit(stack.ConfigEdit{Set: []string{"timeoutMs=4000"}})
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "goes with revision 2 of order, still in release") {
		t.Fatalf("config set during the release: %v", err)
	}
	err = h.store.Update(context.Background(), func(tx store.Tx) error {
		_, err := stack.StopConfig(tx, "settings", "test", "", h.clock.Now())
		return err
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("config stop during the release: %v", err)
	}
	h.advance(time.Minute)
	h.markReady("order")
	promote(t, h, false)
	h.markReady("order")
	h.advance(time.Second)
	if st := h.operation(op.ID).State; st != store.OperationSucceeded {
		t.Fatalf("operation %s", st)
	}
	d := h.delivery()
	if d.Phase != store.DeliverySucceeded || d.Effective() != 2 || !strings.Contains(d.Reason, "revision 2 of order promoted") {
		t.Fatalf("after the promotion: %+v", d)
	}
	for _, in := range h.instances("order") {
		if in.State == store.InstanceRunning && h.writer.version(in.ID) != 2 {
			t.Errorf("instance %s (revision %d) has config v%d after the promotion", in.ID, in.Revision, h.writer.version(in.ID))
		}
	}
	if n := len(h.events(store.EventConfigDeliverySucceeded)); n != 1 { // v2's (the first version has none)
		t.Errorf("%d config.delivery.succeeded events", n)
	}
	if err := h.edit(stack.ConfigEdit{Set: []string{"timeoutMs=4000"}}); err != nil {
		t.Errorf("config set once promoted: %v", err)
	}
}

func TestConfigReleasedWithCanaryRollsBackWithIt(t *testing.T) {
	h, op := startRelease(t)
	h.values.set(2, 0.8) // the new code with the new config fails 20%
	h.advance(5 * time.Second)
	h.advance(time.Second)
	if st := h.operation(op.ID).State; st != store.OperationRolledBack {
		t.Fatalf("operation %s", st)
	}
	d := h.delivery()
	if d.Phase != store.DeliveryRolledBack || d.Effective() != 1 ||
		!strings.Contains(d.Reason, "revision 2 of order rolled back: ") ||
		!strings.Contains(d.Reason, "success-rate 0.8 does not meet result >= 0.99") || !strings.HasSuffix(d.Reason, "back to v1") {
		t.Fatalf("after the rollback: %+v", d)
	}
	for _, in := range h.instances("order") {
		if in.Revision == 1 && h.writer.version(in.ID) != 1 {
			t.Errorf("stable instance %s has config v%d", in.ID, h.writer.version(in.ID))
		}
	}
	for _, w := range h.writer.writes {
		if strings.HasSuffix(w, "=2") {
			t.Errorf("config v2 written to a running instance: %s", w)
		}
	}
	evs := h.events(store.EventConfigDeliveryRolledBack)
	if len(evs) != 1 || evs[0].Service != "order" || !strings.Contains(evs[0].Message, "config settings v2: revision 2 of order rolled back") {
		t.Fatalf("rolled back events: %+v", evs)
	}
	// The config is free again: the next change is delivered on its own,
	// from the version every instance has.
	if err := h.edit(stack.ConfigEdit{Set: []string{"timeoutMs=4000"}}); err != nil {
		t.Errorf("config set after the rollback: %v", err)
	}
}

// TestConfigReleasedWhereNoFilesAreWritten: on a platform that delivers
// no files (its instances read over HTTP), a version released with a
// revision still ends with it.
func TestConfigReleasedWhereNoFilesAreWritten(t *testing.T) {
	h := newHarness(t)
	h.applyAll(codeAndConfig("v1", "2000"))
	h.markReady("order")
	h.values.set(2, 1.0)
	h.applyAll(codeAndConfig("v2", "3000"))
	h.markReady("order")
	if d := h.delivery(); d.Revision != 2 || d.Phase != store.DeliveryProgressing || d.Desired("x", 2) != 2 || d.Desired("y", 1) != 1 {
		t.Fatalf("in release: %+v", d)
	}
	h.advance(time.Minute)
	h.markReady("order")
	promote(t, h, false)
	h.markReady("order")
	h.advance(time.Second)
	if d := h.delivery(); d.Phase != store.DeliverySucceeded || d.Effective() != 2 {
		t.Fatalf("after the promotion: %+v", d)
	}
}

// TestInstancesOfAConfiguredServiceGetTheirCredential: each instance of a
// service a config names gets its own credential, as a secret (the
// driver writes it nowhere); an instance of another service none.
func TestInstancesOfAConfiguredServiceGetTheirCredential(t *testing.T) {
	h := newHarness(t)
	h.writer = &fakeConfigWriter{fakeDriver: h.driver, has: map[string]int{}, specs: map[string]workload.InstanceSpec{}}
	h.restartControllers()
	h.ctl.cfg.InstanceToken = func(id string) string { return "slwi_" + id }
	billing := strings.Replace(canaryV1[strings.Index(canaryV1, "  order:"):], "  order:", "  billing:", 1)
	billing = strings.Replace(billing, "host: order.localhost", "host: billing.localhost", 1)
	h.applyAll(strings.Replace(codeAndConfig("v1", "2000"), "configs:", billing+"configs:", 1))
	h.markReady("order")
	h.markReady("billing")
	n := 0
	for id, s := range h.writer.specs {
		tok, secret := s.Env[ConfigTokenEnv], slices.Contains(s.SecretEnv, ConfigTokenEnv)
		switch s.Service {
		case "order":
			n++
			if tok != "slwi_"+id || !secret || s.Redacted().Env[ConfigTokenEnv] != "" {
				t.Errorf("instance %s: token %q, secret %v", id, tok, secret)
			}
		default:
			n += 100
			if tok != "" || secret {
				t.Errorf("instance %s of %s, which no config names: token %q", id, s.Service, tok)
			}
		}
	}
	if n < 101 {
		t.Fatalf("%d: want instances of both services", n)
	}
}
