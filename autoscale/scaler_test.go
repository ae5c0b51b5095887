package autoscale

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/spec"
)

var t0 = time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)

// load is the traffic of one phase: in flight, new requests per second
// and CPU percent, for a duration.
type load struct {
	d        time.Duration
	inFlight float64
	rps      int64
	cpu      float64
}

// drive feeds one sample a second (rollout.Autoscaler takes ten),
// on a fake clock, and applies every decision, as the store would.
type drive struct {
	s       *Scaler
	clk     *clock.Fake
	current int
	total   int64
	atRest  bool
	last    Decision
	changes []Decision
}

func newDrive(p Policy, current int) *drive {
	clk := clock.NewFake(t0)
	return &drive{s: New(p, clk.Now()), clk: clk, current: current, atRest: true}
}

func (d *drive) run(ls ...load) *drive {
	for _, l := range ls {
		for end := d.clk.Now().Add(l.d); d.clk.Now().Before(end); {
			d.clk.Advance(time.Second)
			d.total += l.rps
			d.s.Observe(Observation{At: d.clk.Now(), InFlight: l.inFlight, Requests: d.total, CPU: l.cpu})
			d.last = d.s.Decide(d.clk.Now(), d.current, d.atRest)
			if d.last.Replicas != d.current {
				d.changes = append(d.changes, d.last)
				d.current = d.last.Replicas
			}
		}
	}
	return d
}

func conc(target float64) Policy {
	return Policy{Min: 1, Max: 20, Metric: Concurrency, Target: target, IdleAfter: 5 * time.Minute, Down: 2 * time.Minute}
}

func TestDecide(t *testing.T) {
	zero := conc(10)
	zero.Min = 0
	upWindow := conc(10)
	upWindow.Up = 10 * time.Second
	rps := conc(50)
	rps.Metric = RPS
	cpu := conc(70)
	cpu.Metric = CPU
	max5 := conc(10)
	max5.Max = 5
	min2 := conc(10)
	min2.Min = 2
	stable6 := conc(10)
	stable6.StableWindow, stable6.PanicWindow = 6*time.Second, 2*time.Second
	panic30 := conc(10)
	panic30.PanicWindow = 30 * time.Second
	calm := conc(10)
	calm.PanicThreshold = 10
	for _, tc := range []struct {
		name    string
		p       Policy
		current int
		atRest  bool
		loads   []load
		want    int
		reason  string // words of the last change's reason
	}{
		{"steady load over target scales up at once", conc(10), 3, true,
			[]load{{d: 90 * time.Second, inFlight: 38}}, 4, "concurrency 38 over target 10 x 3 instances"},
		{"steady at target holds", conc(10), 4, true, []load{{d: 5 * time.Minute, inFlight: 38}}, 4, ""},
		{"a drop waits for the down window", conc(10), 4, true,
			[]load{{d: time.Minute, inFlight: 38}, {d: 90 * time.Second, inFlight: 5}}, 4, ""},
		{"a drop scales down after the window", conc(10), 4, true,
			[]load{{d: time.Minute, inFlight: 38}, {d: 4 * time.Minute, inFlight: 5}}, 1, "concurrency 5 under target 10 x 2 instances for 2m"},
		{"a burst panics to the panic window's count", conc(10), 1, true,
			[]load{{d: time.Minute, inFlight: 5}, {d: 6 * time.Second, inFlight: 60}}, 6, "burst: concurrency"},
		{"a burst never scales down until it is over a stable window", conc(10), 1, true,
			[]load{{d: time.Minute, inFlight: 5}, {d: 6 * time.Second, inFlight: 60}, {d: 50 * time.Second, inFlight: 1}}, 6, "burst"},
		{"the up window delays a rise", upWindow, 3, true,
			[]load{{d: time.Minute, inFlight: 30}, {d: 5 * time.Second, inFlight: 38}}, 3, ""},
		{"the up window passes", upWindow, 3, true,
			[]load{{d: time.Minute, inFlight: 30}, {d: 70 * time.Second, inFlight: 38}}, 4, "over target 10 x 3"},
		{"the default stable window averages a short rise away", conc(10), 3, true,
			[]load{{d: time.Minute, inFlight: 25}, {d: 6 * time.Second, inFlight: 38}}, 3, ""},
		{"a short stable window follows a rise sooner", stable6, 3, true,
			[]load{{d: time.Minute, inFlight: 25}, {d: 6 * time.Second, inFlight: 38}}, 4, "over target 10 x 3 instances"},
		{"a longer panic window dilutes a spike", panic30, 1, true,
			[]load{{d: time.Minute, inFlight: 5}, {d: 3 * time.Second, inFlight: 60}}, 2, "burst: concurrency 10.5 in the last 30s"},
		{"a higher panic threshold lets a burst take the stable window's count", calm, 1, true,
			[]load{{d: time.Minute, inFlight: 5}, {d: 6 * time.Second, inFlight: 60}}, 2, "concurrency 10.5 over target 10 x 1 instances"},
		{"rps from the request count", rps, 3, true, []load{{d: 90 * time.Second, rps: 180}}, 4, "rps 180 over target 50 x 3 instances"},
		{"cpu summed over instances", cpu, 2, true, []load{{d: 90 * time.Second, cpu: 200}}, 3, "cpu 200 over target 70 x 2 instances"},
		{"max bounds", max5, 3, true, []load{{d: 90 * time.Second, inFlight: 100}}, 5, "over target 10 x 3"},
		{"min lifts", min2, 1, true, []load{{d: time.Second}}, 2, "1 instances under min 2"},
		{"idle at rest scales to zero", zero, 1, true, []load{{d: 5 * time.Minute}}, 0, "no request for 5m: scaled to zero"},
		{"idle just short of idleAfter keeps one", zero, 1, true, []load{{d: 5*time.Minute - 2*time.Second}}, 1, ""},
		{"a request restarts the idle time", zero, 1, true,
			[]load{{d: 4 * time.Minute}, {d: time.Second, rps: 1}, {d: 4 * time.Minute}}, 1, ""},
		{"never to zero during a rollout", zero, 1, false, []load{{d: 10 * time.Minute}}, 1, ""},
		{"at zero stays there until woken, even with load seen", zero, 0, true, []load{{d: time.Minute, inFlight: 30}}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDrive(tc.p, tc.current)
			d.atRest = tc.atRest
			d.run(tc.loads...)
			if d.current != tc.want {
				t.Fatalf("count %d, want %d; changes %+v", d.current, tc.want, d.changes)
			}
			var reason string
			if n := len(d.changes); n > 0 {
				reason = d.changes[n-1].Reason
			}
			if (tc.reason == "") != (len(d.changes) == 0) || !strings.Contains(reason, tc.reason) {
				t.Errorf("changes %+v, want the last saying %q", d.changes, tc.reason)
			}
		})
	}
}

// TestWakeAndBackToZero: a service scaled to zero wakes to one on a held
// request, serves, and goes back to zero after idleAfter again.
func TestWakeAndBackToZero(t *testing.T) {
	p := conc(10)
	p.Min = 0
	d := newDrive(p, 1).run(load{d: 5 * time.Minute})
	if d.current != 0 {
		t.Fatalf("count %d, want 0", d.current)
	}
	if got := d.s.Decide(d.clk.Now(), 0, true); got.Replicas != 0 || got.Reason != "scaled to zero" {
		t.Fatalf("at zero: %+v", got)
	}
	w := d.s.Wake(d.clk.Now())
	if w.Replicas != 1 || !strings.Contains(w.Reason, "request arrived") {
		t.Fatalf("wake: %+v", w)
	}
	d.current = 1
	d.run(load{d: 10 * time.Second, inFlight: 1, rps: 1}, load{d: 4 * time.Minute})
	if d.current != 1 {
		t.Fatalf("count %d four minutes after the last request, want 1", d.current)
	}
	d.run(load{d: time.Minute})
	if d.current != 0 {
		t.Fatalf("count %d after idleAfter, want 0", d.current)
	}
}

func TestPolicyOf(t *testing.T) {
	for _, tc := range []struct {
		target spec.ScaleTarget
		metric Metric
		value  float64
	}{
		{spec.ScaleTarget{Concurrency: 10}, Concurrency, 10},
		{spec.ScaleTarget{RPS: 200}, RPS, 200},
		{spec.ScaleTarget{CPU: "70%"}, CPU, 70},
	} {
		p := PolicyOf(spec.Scale{Min: 0, Max: 3, Target: tc.target, IdleAfter: spec.Duration{Duration: time.Minute},
			StableWindow: spec.Duration{Duration: 30 * time.Second}, PanicWindow: spec.Duration{Duration: 3 * time.Second}, PanicThreshold: 4})
		if p.Metric != tc.metric || p.Target != tc.value || p.Max != 3 || p.IdleAfter != time.Minute ||
			p.stableWindow() != 30*time.Second || p.panicWindow() != 3*time.Second || p.panicThreshold() != 4 {
			t.Errorf("%+v: %+v", tc.target, p)
		}
		if p.Metric.String() != tc.target.Kind() {
			t.Errorf("%v names itself %q, the spec %q", p.Metric, p.Metric, tc.target.Kind())
		}
	}
}
