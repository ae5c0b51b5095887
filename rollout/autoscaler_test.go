package rollout

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// scaledSpec is one routed service, web, autoscaled by scale (a YAML
// flow mapping).
func scaledSpec(scale string) string {
	return `app: shop
services:
  web:
    run: ["./web"]
    route: {host: web.localhost}
    scale: ` + scale + `
`
}

// autoscaled is the harness with an Autoscaler over its store, fed the
// router's counts it records (h.counts) and the in-flight counts set
// here.
type autoscaled struct {
	*harness
	as       *Autoscaler
	inFlight map[string]int64
	held     int  // requests the router holds for web
	unready  bool // new instances stay unready
}

func newAutoscaled(t *testing.T, scale string) *autoscaled {
	h := &autoscaled{harness: newHarness(t), inFlight: map[string]int64{}}
	h.apply(scaledSpec(scale))
	h.markReady("web")
	h.restartAutoscaler()
	return h
}

// restartAutoscaler builds a new Autoscaler, as a restarted server does.
func (h *autoscaled) restartAutoscaler() {
	h.as = NewAutoscaler(AutoscalerConfig{Store: h.store, Counts: h.counts, Clock: h.clock, Enqueue: h.enqueue,
		InFlight: func() map[string]int64 { return h.inFlight }, Held: func(string) int { return h.held }})
}

// run serves rps requests a second to web's target revision for d, one
// sample every AutoscaleSample and a pass every AutoscalePeriod, as Run
// does; the controllers act on each pass and new instances get ready.
func (h *autoscaled) run(d time.Duration, rps int) {
	h.t.Helper()
	for end := h.clock.Now().Add(d); h.clock.Now().Before(end); {
		rev := h.service("web").Revision
		for range rps / 10 {
			h.counts.Observe(router.Sample{Service: "web", Revision: rev, Instance: "i", Status: 200, Duration: time.Millisecond})
		}
		h.clock.Advance(AutoscaleSample)
		h.as.Sample()
		if now := h.clock.Now(); now.Truncate(AutoscalePeriod).Equal(now) {
			h.pass()
		}
	}
}

func (h *autoscaled) pass() {
	h.t.Helper()
	if err := h.as.Pass(context.Background()); err != nil {
		h.t.Fatalf("autoscale pass: %v", err)
	}
	if h.unready {
		h.settle()
		return
	}
	h.markReady("web")
}

// count is web's target revision's live instances.
func (h *autoscaled) count() int {
	n, _ := live(h.instances("web"))
	return n
}

// changes returns the autoscaled events' data, oldest first.
func (h *autoscaled) changes() []store.AutoscaledData {
	var out []store.AutoscaledData
	for _, e := range h.events(store.EventServiceAutoscaled) {
		var d store.AutoscaledData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// TestAutoscalerFollowsTraffic: 50 req/s over a target of 10 per
// instance takes web from 1 to 5 instances, with the reason as an event
// and on the service; once the traffic ends it goes back to min after
// the down window, not before.
func TestAutoscalerFollowsTraffic(t *testing.T) {
	h := newAutoscaled(t, "{min: 1, max: 10, target: {rps: 10}, stabilization: {down: 30s}}")
	h.run(10*time.Second, 50)
	if n := h.count(); n != 5 {
		t.Fatalf("%d instances under 50 req/s at 10 each, want 5; changes %+v", n, h.changes())
	}
	ch := h.changes()
	if len(ch) == 0 || ch[0].From != 1 || ch[0].To != 5 || !strings.Contains(ch[0].Reason, "rps 50") || !strings.Contains(ch[0].Reason, "over target 10 x 1 instances") {
		t.Errorf("changes %+v, want 1 -> 5 saying rps 50 over target 10 x 1 instances", ch)
	}
	if a := h.service("web").Autoscale; a == nil || a.Replicas != 5 || a.Reason != ch[0].Reason {
		t.Errorf("service's autoscale %+v, want 5 and the event's reason", a)
	}
	h.run(80*time.Second, 50) // steady: the stable window fills, the count holds
	if n := h.count(); n != 5 {
		t.Fatalf("%d instances under steady load, want 5; changes %+v", n, h.changes())
	}
	h.run(29*time.Second, 0)
	if n := h.count(); n != 5 {
		t.Errorf("%d instances 29s after the traffic ended (down window 30s), want 5", n)
	}
	h.run(2*time.Minute, 0)
	if n := h.count(); n != 1 {
		t.Errorf("%d instances two minutes after the traffic ended, want min 1; changes %+v", n, h.changes())
	}
}

// TestAutoscalerStartsAtMostMaxStartsPerPass: a burst that wants 20
// instances at once gets them over several passes.
func TestAutoscalerStartsAtMostMaxStartsPerPass(t *testing.T) {
	h := newAutoscaled(t, "{min: 1, max: 20, target: {rps: 10}}")
	h.run(2*AutoscalePeriod, 400) // the first pass meets web, the second decides
	ch := h.changes()
	if len(ch) == 0 || ch[0].To-ch[0].From > workload.MaxStartsPerPass {
		t.Fatalf("changes %+v, want a first rise of at most %d", ch, workload.MaxStartsPerPass)
	}
	h.run(10*time.Second, 400)
	if n := h.count(); n != 20 {
		t.Errorf("%d instances, want max 20; changes %+v", n, h.changes())
	}
}

// TestAutoscalerScalesToZeroAndWakes: idle for idleAfter, web goes to
// zero instances (its route stays, for the router to hold requests); a
// restarted autoscaler leaves it there; a held request wakes it to one.
func TestAutoscalerScalesToZeroAndWakes(t *testing.T) {
	h := newAutoscaled(t, "{min: 0, max: 5, target: {concurrency: 10}, idleAfter: 30s}")
	h.inFlight = map[string]int64{h.instances("web")[0].ID: 1}
	h.run(20*time.Second, 10)
	h.inFlight = map[string]int64{}
	h.run(29*time.Second, 0)
	if n := h.count(); n != 1 {
		t.Fatalf("%d instances 29s after the last request (idleAfter 30s), want 1", n)
	}
	h.run(2*time.Second, 0)
	if n := h.count(); n != 0 {
		t.Fatalf("%d instances after idleAfter, want 0; changes %+v", n, h.changes())
	}
	svc := h.service("web")
	if !svc.Autoscale.ScaledToZero(svc.Revision) || !strings.Contains(svc.Autoscale.Reason, "no request for 30s") {
		t.Errorf("autoscale %+v, want scaled to zero after no request for 30s", svc.Autoscale)
	}
	if svc.Phase != store.PhaseReady {
		t.Errorf("phase %s at zero, want Ready: a service at rest is healthy", svc.Phase)
	}

	h.restartAutoscaler()
	h.run(5*time.Second, 0)
	if n := h.count(); n != 0 {
		t.Fatalf("a restarted autoscaler started %d instances nobody asked for", n)
	}

	h.as.Wake("web")
	h.pass()
	if n := h.count(); n != 1 {
		t.Fatalf("%d instances after a wake, want 1", n)
	}
	ch := h.changes()
	if last := ch[len(ch)-1]; last.From != 0 || last.To != 1 || !strings.Contains(last.Reason, "request arrived") {
		t.Errorf("last change %+v, want 0 -> 1 because a request arrived", last)
	}
}

// TestAutoscalerNeverZeroDuringARollout: a rollout in flight (here, one
// whose new instance never gets ready) keeps web above zero however
// long it is idle.
func TestAutoscalerNeverZeroDuringARollout(t *testing.T) {
	h := newAutoscaled(t, "{min: 0, max: 5, target: {concurrency: 10}, idleAfter: 10s}")
	h.unready = true
	h.apply(strings.Replace(scaledSpec("{min: 0, max: 5, target: {concurrency: 10}, idleAfter: 10s}"), `["./web"]`, `["./web", "v2"]`, 1))
	h.run(time.Minute, 0)
	if svc := h.service("web"); svc.Phase != store.PhaseProgressing && svc.Phase != store.PhaseFailed {
		t.Fatalf("phase %s, want the rollout in flight or failed", svc.Phase)
	}
	for _, d := range h.changes() {
		if d.To == 0 {
			t.Errorf("scaled to zero during a rollout: %+v", d)
		}
	}
}

func TestTargetReplicas(t *testing.T) {
	scale := &spec.Scale{Min: 0, Max: 10}
	rev := func(n int, sc *spec.Scale) store.Revision {
		return store.Revision{Number: n, Spec: spec.Service{Name: "web", Instances: intPtr(3), Scale: sc}}
	}
	ins := func(rev, n int) []store.Instance {
		var out []store.Instance
		for range n {
			out = append(out, store.Instance{Revision: rev, State: store.InstanceRunning})
		}
		return out
	}
	canary := &store.Canary{Revision: 2, Stable: 1, Weight: 20}
	for _, tc := range []struct {
		name      string
		svc       store.Service
		rev       store.Revision
		instances []store.Instance
		want, low int
	}{
		{"no scale section: the spec's instances", store.Service{}, rev(1, nil), nil, 3, 0},
		{"the count set for the revision", store.Service{Autoscale: &store.Autoscale{Revision: 1, Replicas: 7}}, rev(1, scale), nil, 7, 0},
		{"scaled to zero", store.Service{Autoscale: &store.Autoscale{Revision: 1, Replicas: 0}}, rev(1, scale), nil, 0, 0},
		{"a new revision keeps the last count", store.Service{Autoscale: &store.Autoscale{Revision: 1, Replicas: 6}}, rev(2, scale), ins(1, 6), 6, 0},
		{"a new revision after zero starts one", store.Service{Autoscale: &store.Autoscale{Revision: 1, Replicas: 0}}, rev(2, scale), nil, 1, 0},
		{"rolled back to: what it runs", store.Service{Autoscale: &store.Autoscale{Revision: 2, Replicas: 1}}, rev(1, scale), ins(1, 5), 5, 0},
		{"within max", store.Service{Autoscale: &store.Autoscale{Revision: 1, Replicas: 30}}, rev(2, scale), nil, 10, 0},
		{"a canary's share of stable", store.Service{Canary: canary}, rev(2, scale), ins(1, 8), 2, 2},
		{"a canary scaled above its share", store.Service{Canary: canary, Autoscale: &store.Autoscale{Revision: 2, Replicas: 4}}, rev(2, scale), ins(1, 8), 4, 2},
	} {
		n, low := TargetReplicas(tc.svc, tc.rev, tc.instances)
		if n != tc.want || low != tc.low {
			t.Errorf("%s: %d (floor %d), want %d (floor %d)", tc.name, n, low, tc.want, tc.low)
		}
	}
}

func intPtr(n int) *int { return &n }

// TestAutoscaledCanary: web runs 4 instances for 40 req/s when a canary
// of v2 starts at 25%: the candidate starts with its share (1), scales
// on the traffic it gets (20 req/s: 2), never to zero however idle;
// stable keeps its 4 throughout, and after an abort takes the traffic
// back with all 4: no wait for capacity.
func TestAutoscaledCanary(t *testing.T) {
	scale := "{min: 0, max: 10, target: {rps: 10}, idleAfter: 10s}"
	h := newAutoscaled(t, scale)
	h.run(10*time.Second, 40)
	if n := h.count(); n != 4 {
		t.Fatalf("%d instances for 40 req/s, want 4", n)
	}
	canary := scaledSpec(scale) + "    strategy: {canary: {steps: [{setWeight: 25}, {pause: {}}]}}\n"
	h.apply(strings.Replace(canary, `["./web"]`, `["./web", "v2"]`, 1))
	h.markReady("web")
	if n, _ := liveOf(h.instances("web"), 2); n != 1 {
		t.Fatalf("%d candidate instances at 25%% of 4, want 1", n)
	}
	h.run(10*time.Second, 20) // the candidate's share of the traffic
	if n, _ := liveOf(h.instances("web"), 2); n != 2 {
		t.Fatalf("%d candidate instances for 20 req/s at 10 each, want 2; changes %+v", n, h.changes())
	}
	h.run(2*time.Minute, 0)
	if n, _ := liveOf(h.instances("web"), 2); n < 1 {
		t.Fatalf("the candidate went to zero during the canary")
	}
	if n, _ := liveOf(h.instances("web"), 1); n != 4 {
		t.Fatalf("%d stable instances during the canary, want its 4 of before", n)
	}
	if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.Abort(tx, "web", "enough", h.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	h.enqueue(queue.ServiceKey("web"), 0)
	h.run(5*time.Second, 0)
	if svc := h.service("web"); svc.Revision != 1 || svc.Traffic.Canary != 0 {
		t.Fatalf("after the abort: target %d traffic %+v", svc.Revision, svc.Traffic)
	}
	if n, _ := liveOf(h.instances("web"), 1); n != 4 {
		t.Errorf("%d stable instances after the abort, want 4", n)
	}
}

// TestAutoscalerWokenStaysUpWhileRequestsWait: an instance woken for a
// held request that is slow to get ready is not scaled back to zero
// meanwhile (the held request is load, though no instance serves it).
func TestAutoscalerWokenStaysUpWhileRequestsWait(t *testing.T) {
	h := newAutoscaled(t, "{min: 0, max: 5, target: {concurrency: 10}, idleAfter: 2s}")
	h.run(5*time.Second, 0)
	if n := h.count(); n != 0 {
		t.Fatalf("%d instances after idleAfter, want 0", n)
	}
	h.unready, h.held = true, 1
	h.as.Wake("web")
	h.pass()
	h.run(10*time.Second, 0)
	if n := h.count(); n != 1 {
		t.Fatalf("%d instances while a request waits for the woken one, want 1; changes %+v", n, h.changes())
	}
}
