package workload

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func inst(id string, rev int, state store.InstanceState, ready bool) Observed {
	o := Observed{Instance: store.Instance{ID: id, Revision: rev, State: state, Ready: ready, ReadySince: t0.Add(-time.Minute), CreatedAt: t0.Add(-time.Hour), StartedAt: t0.Add(-time.Hour)}}
	if state == store.InstanceRunning || state == store.InstanceStopping {
		o.Process = &Status{ID: id, Running: true, PID: 100}
	}
	return o
}

func kinds(p Plan) []string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, a.String())
	}
	return out
}

func TestDecide(t *testing.T) {
	run, stop := store.InstanceRunning, store.InstanceStopping
	rolling := Desired{Revision: 2, Replicas: 3, MaxSurge: 1}
	restart := Desired{Revision: 2, Replicas: 3, MaxSurge: 1, RestartedAt: t0.Add(-time.Hour + 30*time.Second)} // between inst and newer
	dead := inst("a", 2, run, true)
	dead.Process = &Status{ID: "a", Exit: "exit status 1"}
	sick := inst("a", 2, run, true)
	sick.Unhealthy = "GET / -> 500"
	tests := []struct {
		name      string
		d         Desired
		obs       []Observed
		want      []string
		converged bool
	}{
		{"first deploy creates all", Desired{Revision: 1, Replicas: 3, MaxSurge: 1}, nil,
			[]string{"create r1", "create r1", "create r1"}, false},
		{"steady state does nothing", rolling,
			[]Observed{inst("a", 2, run, true), inst("b", 2, run, true), inst("c", 2, run, true)}, nil, true},
		{"rollout starts with one surge", rolling,
			[]Observed{inst("a", 1, run, true), inst("b", 1, run, true), inst("c", 1, run, true)},
			[]string{"create r2"}, false},
		{"new ready instance replaces one old", rolling,
			[]Observed{inst("a", 1, run, true), inst("b", 1, run, true), inst("c", 1, run, true), inst("d", 2, run, true)},
			[]string{"stop a"}, false},
		{"unready new instance stops nothing", rolling,
			[]Observed{inst("a", 1, run, true), inst("b", 1, run, true), inst("c", 1, run, true), inst("d", 2, run, false)},
			nil, false},
		{"unready old instances go first and freely", rolling,
			[]Observed{inst("a", 1, run, false), inst("b", 1, run, true), inst("c", 1, run, true), inst("d", 2, run, false)},
			[]string{"stop a"}, false},
		{"max unavailable allows stopping before creating", Desired{Revision: 2, Replicas: 2, MaxUnavailable: 1},
			[]Observed{inst("a", 1, run, true), inst("b", 1, run, true)},
			[]string{"stop a"}, false},
		{"stopping instance gone is forgotten", rolling,
			[]Observed{{Instance: store.Instance{ID: "x", Revision: 1, State: stop}}, inst("a", 2, run, true), inst("b", 2, run, true), inst("c", 2, run, true)},
			[]string{"forget x"}, true},
		{"stopping instance whose stop is in flight is left alone", rolling,
			[]Observed{stopInFlight(inst("x", 1, stop, false)), inst("a", 2, run, true), inst("b", 2, run, true), inst("c", 2, run, true)},
			nil, true},
		{"stopping instance with no stop in flight is stopped again", rolling,
			[]Observed{inst("x", 1, stop, false), inst("a", 2, run, true), inst("b", 2, run, true), inst("c", 2, run, true)},
			[]string{"stop x"}, true},
		{"crash is recorded", Desired{Revision: 2, Replicas: 1}, []Observed{dead}, []string{"exited a"}, false},
		{"liveness failure kills", Desired{Revision: 2, Replicas: 1}, []Observed{sick}, []string{"kill a"}, false},
		{"pending instance is started", Desired{Revision: 2, Replicas: 1},
			[]Observed{{Instance: store.Instance{ID: "p", Revision: 2, State: store.InstancePending}}}, []string{"start p"}, false},
		{"scale down stops unready first", Desired{Revision: 2, Replicas: 1},
			[]Observed{inst("a", 2, run, true), inst("b", 2, run, false)}, []string{"stop b"}, true},
		{"removed stops everything", Desired{Revision: 2, Replicas: 3, Removed: true},
			[]Observed{inst("a", 2, run, true), inst("b", 1, run, true)}, []string{"stop a", "stop b"}, false},
		{"blue/green starts the whole new revision beside the kept one", Desired{Revision: 2, Replicas: 2, MaxSurge: 2, Keep: 1},
			[]Observed{inst("a", 1, run, true), inst("b", 1, run, true)},
			[]string{"create r2", "create r2"}, false},
		{"kept revision is not replaced once the new one is ready", Desired{Revision: 2, Replicas: 1, MaxSurge: 1, Keep: 1},
			[]Observed{inst("a", 1, run, true), inst("b", 2, run, true)},
			nil, true},
		{"an instance still stopping uses the surge", rolling,
			[]Observed{stopInFlight(inst("x", 1, stop, false)), inst("b", 1, run, true), inst("c", 1, run, true), inst("d", 2, run, true)},
			nil, false},
		{"leaving blue/green stops the kept revision before the active one", Desired{Revision: 3, Replicas: 2, MaxSurge: 1, Active: 2},
			[]Observed{inst("a", 1, run, true), inst("b", 1, run, true), newer(inst("c", 2, run, true)), newer(inst("d", 2, run, true))},
			[]string{"stop a", "stop b"}, false},
		{"scale to zero", Desired{Revision: 1, Replicas: 0},
			[]Observed{inst("a", 1, run, true)}, []string{"stop a"}, true},
		// A rolling restart (slipway restart): the same revision, replaced
		// as an old one would be.
		{"restart starts one surge of the same revision", restart,
			[]Observed{inst("a", 2, run, true), inst("b", 2, run, true), inst("c", 2, run, true)},
			[]string{"create r2"}, false},
		{"restart stops an instance from before it once a new one is ready", restart,
			[]Observed{inst("a", 2, run, true), inst("b", 2, run, true), inst("c", 2, run, true), newer(inst("d", 2, run, true))},
			[]string{"stop a"}, false},
		{"restart waits while the new instance is unready", restart,
			[]Observed{inst("a", 2, run, true), inst("b", 2, run, true), inst("c", 2, run, true), newer(inst("d", 2, run, false))},
			nil, false},
		{"restart is done when every instance is newer", restart,
			[]Observed{newer(inst("a", 2, run, true)), newer(inst("b", 2, run, true)), newer(inst("c", 2, run, true))},
			nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Decide(tc.d, tc.obs, t0, DefaultRestartPolicy())
			if got := kinds(p); !slices.Equal(got, tc.want) {
				t.Fatalf("actions %v, want %v", got, tc.want)
			}
			if p.Converged != tc.converged {
				t.Fatalf("converged %v, want %v", p.Converged, tc.converged)
			}
		})
	}
}

func TestDecideBackoff(t *testing.T) {
	rp := DefaultRestartPolicy()
	o := inst("a", 1, store.InstanceBackoff, false)
	o.Process = &Status{ID: "a", Exit: "exit status 1"}
	o.Instance.NextStart = t0.Add(2 * time.Second)
	p := Decide(Desired{Revision: 1, Replicas: 1}, []Observed{o}, t0, rp)
	if len(p.Actions) != 0 || p.Requeue != 2*time.Second {
		t.Fatalf("before backoff ends: actions %v requeue %v", kinds(p), p.Requeue)
	}
	p = Decide(Desired{Revision: 1, Replicas: 1}, []Observed{o}, t0.Add(2*time.Second), rp)
	if got := kinds(p); !slices.Equal(got, []string{"start a"}) {
		t.Fatalf("after backoff: %v", got)
	}
}

func TestExitedBacksOffExponentially(t *testing.T) {
	rp := DefaultRestartPolicy()
	o := inst("a", 1, store.InstanceRunning, true)
	o.Process = &Status{ID: "a", Exit: "signal: killed"}
	o.Instance.StartedAt = t0.Add(-time.Second)
	var delays []time.Duration
	for crashes := range 8 {
		o.Instance.Crashes = crashes
		a := Decide(Desired{Revision: 1, Replicas: 1}, []Observed{o}, t0, rp).Actions[0]
		delays = append(delays, a.NextStart.Sub(t0))
	}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	if !slices.Equal(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	o.Instance.StartedAt = t0.Add(-time.Hour) // stayed up: backoff resets
	if a := Decide(Desired{Revision: 1, Replicas: 1}, []Observed{o}, t0, rp).Actions[0]; a.Crashes != 1 {
		t.Fatalf("crashes after long uptime = %d, want 1", a.Crashes)
	}
}

func TestDecideMinReadyRequeues(t *testing.T) {
	o := inst("a", 1, store.InstanceRunning, true)
	o.Instance.ReadySince = t0.Add(-time.Second)
	p := Decide(Desired{Revision: 1, Replicas: 1, MinReady: 3 * time.Second}, []Observed{o}, t0, DefaultRestartPolicy())
	if p.Converged || p.Requeue != 2*time.Second {
		t.Fatalf("converged %v requeue %v, want false 2s", p.Converged, p.Requeue)
	}
}

// TestDecideInvariants checks, over random observations, that a plan
// never exceeds the surge budget, never cuts availability below the
// floor, acts on each instance at most once, and is deterministic.
func TestDecideInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		d, obs := randomCase(r)
		p := Decide(d, obs, t0, DefaultRestartPolicy())
		if err := checkPlan(d, obs, p); err != nil {
			t.Fatalf("case %d: %v\ndesired %+v\nobserved %s\nactions %v", i, err, d, describe(obs), kinds(p))
		}
		if again := Decide(d, obs, t0, DefaultRestartPolicy()); !slices.Equal(kinds(again), kinds(p)) {
			t.Fatalf("case %d: not deterministic: %v vs %v", i, kinds(p), kinds(again))
		}
	}
}

func randomCase(r *rand.Rand) (Desired, []Observed) {
	d := Desired{Revision: 1 + r.IntN(3), Replicas: r.IntN(5), MaxSurge: r.IntN(3), MaxUnavailable: r.IntN(2), Removed: r.IntN(10) == 0}
	if d.MaxSurge == 0 && d.MaxUnavailable == 0 {
		d.MaxSurge = 1
	}
	states := []store.InstanceState{store.InstanceRunning, store.InstanceRunning, store.InstanceRunning, store.InstancePending, store.InstanceBackoff, store.InstanceStopping}
	var obs []Observed
	for j := range r.IntN(8) {
		o := inst(fmt.Sprintf("i%d", j), 1+r.IntN(3), states[r.IntN(len(states))], r.IntN(3) > 0)
		o.Instance.CreatedAt = t0.Add(-time.Duration(r.IntN(100)) * time.Second)
		if r.IntN(6) == 0 {
			o.Process = &Status{ID: o.Instance.ID, Exit: "exit status 2"}
		}
		if o.Instance.State != store.InstanceRunning {
			o.Instance.Ready = false
		}
		obs = append(obs, o)
	}
	return d, obs
}

func checkPlan(d Desired, obs []Observed, p Plan) error {
	seen := map[string]bool{}
	byID := map[string]Observed{}
	for _, o := range obs {
		byID[o.Instance.ID] = o
	}
	live, old, availBefore, stoppedReady, creates, leaving := 0, 0, 0, 0, 0, 0
	for _, o := range obs {
		if o.Instance.State == store.InstanceStopping {
			if o.Process != nil && o.Process.Running {
				leaving++
			}
			continue
		}
		live++
		if o.Instance.Revision != d.Revision {
			old++
		}
		if availableNow(o) {
			availBefore++
		}
	}
	curBefore := live - old
	for _, a := range p.Actions {
		if a.ID != "" {
			if seen[a.ID] {
				return fmt.Errorf("two actions on %s", a.ID)
			}
			seen[a.ID] = true
		}
		switch a.Kind {
		case Create:
			creates++
			if d.Removed {
				return fmt.Errorf("create while removed")
			}
		case Stop:
			o := byID[a.ID]
			if availableNow(o) && o.Instance.Revision != d.Revision {
				stoppedReady++
			}
		}
	}
	if d.Removed {
		return nil
	}
	limit := max(d.Replicas, curBefore)
	if old > 0 || leaving > 0 {
		limit = max(d.Replicas+d.MaxSurge, live+leaving)
	}
	if creates > 0 && live+leaving+creates > limit {
		return fmt.Errorf("%d live + %d leaving + %d created exceeds %d", live, leaving, creates, limit)
	}
	floor := d.Replicas - d.MaxUnavailable
	if stoppedReady > 0 && availBefore-stoppedReady < floor {
		return fmt.Errorf("stopping %d ready old instances leaves %d available, floor %d", stoppedReady, availBefore-stoppedReady, floor)
	}
	return nil
}

func describe(obs []Observed) string {
	s := ""
	for _, o := range obs {
		s += fmt.Sprintf("%s r%d %s ready=%v running=%v; ", o.Instance.ID, o.Instance.Revision, o.Instance.State, o.Instance.Ready, o.Process != nil && o.Process.Running)
	}
	return s
}

// availableNow reports whether an instance serves right now: ready, and
// its process alive.
func availableNow(o Observed) bool {
	return o.Instance.Ready && o.Instance.State == store.InstanceRunning && o.Process != nil && o.Process.Running && o.Unhealthy == ""
}

func stopInFlight(o Observed) Observed {
	o.Stopping = true
	return o
}

func newer(o Observed) Observed {
	o.Instance.CreatedAt = o.Instance.CreatedAt.Add(time.Minute)
	return o
}
