package rollout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

const parallelV1 = `app: shop
services:
  order:
    run: ["./order", "${PORT}"]
    env: {VERSION: v1}
    instances: 2
    health: {readiness: {http: /healthz}}
    route: {host: order.localhost}
    strategy:
      parallelRun: {duration: 1m, minRequests: 20, maxMismatchRate: 0.05, compare: {ignoreJsonPaths: [$.version]}}
`

func parallelVersion(v string) string {
	return strings.Replace(parallelV1, "VERSION: v1", "VERSION: "+v, 1)
}

// startParallelRun deploys v1 and starts a parallel run of v2 whose
// instances are ready.
func startParallelRun(t *testing.T) (*harness, *store.Operation) {
	h := newHarness(t)
	h.apply(parallelV1)
	h.markReady("order")
	op := h.apply(parallelVersion("v2"))
	if svc := h.service("order"); svc.Traffic != (store.Traffic{Active: 1}) || svc.ParallelRun == nil || !svc.ParallelRun.Started.IsZero() {
		t.Fatalf("before the candidate is ready: traffic %+v run %+v", svc.Traffic, svc.ParallelRun)
	}
	if n, _ := liveOf(h.instances("order"), 2); n != 2 {
		t.Fatalf("%d candidate instances, want the whole revision at once", n)
	}
	h.markReady("order")
	svc := h.service("order")
	if svc.Traffic != (store.Traffic{Active: 1, Mirror: 2, MirrorPercent: 100}) || svc.ParallelRun.Started.IsZero() {
		t.Fatalf("once ready: traffic %+v run %+v: want all traffic on 1, copies to 2", svc.Traffic, svc.ParallelRun)
	}
	return h, op
}

// exchanges reports n mirrored requests; the candidate answers total
// (stable says 10) and a random request id that stable varies too.
func (h *harness) exchanges(n int, total string) {
	for i := range n {
		body := func(id, total string) mirror.Response {
			return mirror.Response{Status: 200, Body: []byte(fmt.Sprintf(`{"id":%q,"total":%s,"version":"x"}`, id, total))}
		}
		h.book.Compared("order", 2, mirror.Exchange{Method: "GET", Path: "/orders/1",
			Primary: body(fmt.Sprint("a", i), "10"), Secondary: body(fmt.Sprint("b", i), "10"), Candidate: body(fmt.Sprint("c", i), total)})
	}
}

func TestParallelRunPromotedWhenAnswersMatch(t *testing.T) {
	h, op := startParallelRun(t)
	h.exchanges(30, "10") // only the noisy id differs
	h.advance(30 * time.Second)
	if r := h.service("order").ParallelRun.Report; r == nil || r.Compared != 30 {
		t.Fatalf("stored report %+v: want the 30 compared so far", r)
	}
	h.advance(31 * time.Second)
	svc := h.service("order")
	if svc.Stable != 2 || svc.ParallelRun.Outcome != store.CanaryPromoted || h.operation(op.ID).State != store.OperationSucceeded {
		t.Fatalf("after the run: stable %d run %+v op %s", svc.Stable, svc.ParallelRun, h.operation(op.ID).State)
	}
	if !strings.Contains(svc.ParallelRun.Reason, "0% of 30 compared requests differ beyond noise") {
		t.Errorf("reason %q", svc.ParallelRun.Reason)
	}
	if n, _ := liveOf(h.instances("order"), 1); n != 0 {
		t.Fatalf("%d instances of v1 left", n)
	}
}

func TestParallelRunRolledBackWhenAnswersDiffer(t *testing.T) {
	h, op := startParallelRun(t)
	h.exchanges(30, "12")
	h.advance(61 * time.Second)
	svc := h.service("order")
	p := svc.ParallelRun
	if svc.Revision != 1 || p.Outcome != store.CanaryRolledBack || !strings.Contains(p.Reason, "$.total") {
		t.Fatalf("target %d run %+v: want rolled back naming the field", svc.Revision, p)
	}
	if r := p.Report; r == nil || r.Mismatched != 30 || len(r.Routes) == 0 || len(r.Routes[0].Fields[0].Samples) == 0 {
		t.Fatalf("report %+v: want the mismatches kept with samples", r)
	}
	if h.operation(op.ID).State != store.OperationRolledBack {
		t.Fatalf("operation %s", h.operation(op.ID).State)
	}
	if n, _ := liveOf(h.instances("order"), 2); n != 0 {
		t.Fatalf("%d candidate instances left", n)
	}
}

func TestParallelRunWithTooFewRequestsIsNotAPass(t *testing.T) {
	h, _ := startParallelRun(t)
	h.exchanges(5, "10")
	h.advance(61 * time.Second)
	if p := h.service("order").ParallelRun; p.Outcome != store.CanaryRolledBack || !strings.Contains(p.Reason, "not enough data is not a pass") {
		t.Fatalf("run %+v", p)
	}
}

func TestParallelRunStartsAgainWhenItsCountsAreLost(t *testing.T) {
	h, _ := startParallelRun(t)
	started := h.service("order").ParallelRun.Started
	h.exchanges(30, "10")
	h.advance(40 * time.Second)
	h.book = mirror.NewBook() // a restarted server counts from nothing
	h.restartControllers()
	h.enqueue(queue.ServiceKey("order"), 0)
	h.advance(time.Second)
	p := h.service("order").ParallelRun
	if !p.Started.After(started) || p.Outcome != "" || len(h.events("service.parallel_run.step")) != 2 {
		t.Fatalf("run %+v: want it started again", p)
	}
}

func TestParallelRunVerbs(t *testing.T) {
	h, _ := startParallelRun(t)
	h.exchanges(30, "10")
	h.advance(time.Second)
	if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.Promote(tx, "order", false, h.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	h.enqueue(queue.ServiceKey("order"), 0)
	h.settle()
	if svc := h.service("order"); svc.Stable != 2 {
		t.Fatalf("promote of a passing run did not end it: %+v", svc.ParallelRun)
	}

	h, _ = startParallelRun(t)
	if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.Abort(tx, "order", "bob saw enough", h.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	h.enqueue(queue.ServiceKey("order"), 0)
	h.settle()
	if p := h.service("order").ParallelRun; p.Outcome != store.CanaryRolledBack || p.Reason != "aborted: bob saw enough" {
		t.Fatalf("run after abort %+v", p)
	}
}

func TestParallelRunWithoutAMirrorBookIsRolledBackSayingSo(t *testing.T) {
	h := newHarness(t)
	h.apply(parallelV1)
	h.markReady("order")
	h.ctl.cfg.Mirrors = nil
	h.apply(parallelVersion("v2"))
	h.markReady("order")
	svc := h.service("order")
	if svc.Revision != 1 || svc.ParallelRun.Outcome != store.CanaryRolledBack || !strings.Contains(svc.ParallelRun.Reason, "no mirror book") {
		t.Fatalf("target %d run %+v: want rolled back, saying the server does not mirror", svc.Revision, svc.ParallelRun)
	}
}

// hookedBook runs a function when a pass reads a run's counts: something
// a person does while the pass is under way.
type hookedBook struct {
	*mirror.Book
	onReport func()
}

func (b *hookedBook) Report(service string, revision int) (mirror.Report, bool) {
	if f := b.onReport; f != nil {
		b.onReport = nil
		f()
	}
	return b.Book.Report(service, revision)
}

// A run judged in a pass whose write turns out stale (a verb landed
// meanwhile) keeps its counts: the next pass judges it again rather than
// start it over as if the server had restarted.
func TestAParallelRunJudgedInAStalePassKeepsItsCounts(t *testing.T) {
	h, _ := startParallelRun(t)
	h.exchanges(30, "10")
	h.advance(30 * time.Second)
	h.ctl.cfg.Mirrors = &hookedBook{Book: h.book, onReport: func() {
		if err := h.store.Update(t.Context(), func(tx store.Tx) error { return stack.Promote(tx, "order", false, h.clock.Now()) }); err != nil {
			t.Error(err)
		}
	}}
	h.advance(31 * time.Second) // the run's time is up, in the pass the promote lands in
	if svc := h.service("order"); svc.Stable != 2 || svc.ParallelRun.Outcome != store.CanaryPromoted || len(h.events("service.parallel_run.step")) != 1 {
		t.Fatalf("stable %d run %+v, %d step events: want promoted on its counts, not started again",
			svc.Stable, svc.ParallelRun, len(h.events("service.parallel_run.step")))
	}
}
