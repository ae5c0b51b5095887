package e2e

// Zero downtime, proved end to end: every scenario runs the load
// generator through the router (--router) for its whole length and
// requires that not one request failed (no connection error, no status
// of 500 or more), while a release, a rollback, a failed release or
// killed instances happen behind it.

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// loadLimit bounds any one scenario's load, should the test hang.
const loadLimit = 90 * time.Second

func TestRollingUpdateUnderLoad(t *testing.T) {
	a := startZDApp(t)
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond) // steady load before the release
	file := a.write("v2", "", "20s")
	r := a.srv.cli("apply", "-f", file, "--wait", "--timeout", "40s")
	applied := time.Since(l.start)
	time.Sleep(300 * time.Millisecond) // and after it
	res, took := l.stop()
	if r.code != 0 {
		t.Fatalf("apply v2 failed:\n%s", r)
	}
	t.Logf("apply v2 --wait returned after %s under load", applied.Round(time.Millisecond))
	checkNoFailures(t, "rolling update", res, took, l.probe)
	a.checkServes("v2", 60)
	if seen := l.probe.seen(); seen["v2"] == 0 {
		t.Errorf("the prober never saw v2 during the run: %s", l.probe)
	}
}

func TestRollbackUnderLoad(t *testing.T) {
	a := startZDApp(t)
	a.srv.mustCLI("apply", "-f", a.write("v2", "", "20s"), "--wait", "--timeout", "40s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	a.waitServes("v2", 5*time.Second)

	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	r := a.srv.cli("rollback", "shop", "--wait", "--timeout", "40s", "--reason", "zero-downtime e2e")
	rolled := time.Since(l.start)
	time.Sleep(300 * time.Millisecond)
	res, took := l.stop()
	if r.code != 0 {
		t.Fatalf("rollback failed:\n%s", r)
	}
	t.Logf("rollback --wait returned after %s under load: %s", rolled.Round(time.Millisecond), strings.SplitN(r.stdout, "\n", 2)[0])
	checkNoFailures(t, "rollback", res, took, l.probe)
	if svc := a.srv.service("shop"); svc.Revision != 1 {
		t.Errorf("shop on revision %d after the rollback; want 1", svc.Revision)
	}
	a.checkServes("v1", 60)
}

func TestFailedReleaseUnderLoad(t *testing.T) {
	a := startZDApp(t)
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	file := a.write("v2", `, NEVER_READY: "1"`, "3s")
	r := a.srv.cli("apply", "-f", file, "--wait", "--timeout", "40s")
	failed := time.Since(l.start)
	// Until the stack's rollback has removed the v2 instance.
	a.srv.waitConverged(15*time.Second, map[string]int{"shop": 3})
	time.Sleep(300 * time.Millisecond)
	res, took := l.stop()
	if r.code == 0 {
		t.Errorf("apply --wait of a never-ready v2 exited 0:\n%s", r)
	}
	t.Logf("failed apply --wait exited %d after %s under load", r.code, failed.Round(time.Millisecond))
	checkNoFailures(t, "failed release", res, took, l.probe)
	if seen := l.probe.seen(); seen["v2"] != 0 {
		t.Errorf("the never-ready v2 answered %d probes: it got traffic (%s)", seen["v2"], l.probe)
	}
	if svc := a.srv.service("shop"); svc.Revision != 1 || svc.Stable != 1 {
		t.Errorf("shop on revision %d (stable %d) after the failed release; want 1", svc.Revision, svc.Stable)
	}
	a.checkServes("v1", 60)
}

// TestInstancesKilledUnderLoad kills -9 a random ready instance every
// ~700ms, first in a steady state and then during a rolling update. The
// router must retry refused and broken connections on another instance:
// no request may surface as an error while some instance is left (the
// victim is only ever one of at least two live, ready instances).
func TestInstancesKilledUnderLoad(t *testing.T) {
	a := startZDApp(t)
	l := a.startLoad(loadLimit)
	k := &killer{t: t, srv: a.srv, start: l.start}
	time.Sleep(300 * time.Millisecond)
	for range 3 { // steady state
		k.killOne()
		time.Sleep(700 * time.Millisecond)
	}
	// v2 takes 1.5s to listen: the rollout lasts long enough for kills,
	// of old and new instances, to land in the middle of it.
	file := a.write("v2", `, START_DELAY: "1500ms"`, "30s")
	done, wait := asyncCLI(a.srv, 60*time.Second, "apply", "-f", file, "--wait", "--timeout", "50s")
	before := k.kills
	// A handful: each kill doubles its victim's restart backoff, and
	// many would stretch the rollout towards its deadline.
	for k.kills < before+6 {
		k.killOne()
		if closed(done, 700*time.Millisecond) {
			break
		}
	}
	during := k.kills - before
	r, end := wait()
	// A slow machine (-race) may have skipped kills: make up for them.
	for i := 0; i < 10 && k.kills < 5; i++ {
		time.Sleep(700 * time.Millisecond)
		k.killOne()
	}
	a.srv.waitConverged(30*time.Second, map[string]int{"shop": 3})
	time.Sleep(300 * time.Millisecond)
	res, took := l.stop()

	t.Logf("kills: %v", k.log)
	if r.code != 0 {
		t.Errorf("apply v2 with instances killed under it failed:\n%s", r)
	}
	t.Logf("apply v2 --wait returned after %s under load, %d instances killed during it",
		end.Sub(l.start).Round(time.Millisecond), during)
	checkNoFailures(t, fmt.Sprintf("%d instances killed", k.kills), res, took, l.probe)
	if res.Failed != 0 {
		statuses, connErrs := classify(res.Errors)
		t.Logf("requests surfaced as errors although live instances were left: router answers %q, no answer %q (of the first %d failures)",
			statuses, connErrs, len(res.Errors))
	}
	if k.kills < 5 || during < 1 {
		t.Errorf("%d instances killed, %d during the rolling update; want at least 5 and 1 for the test to mean something", k.kills, during)
	}
	a.checkServes("v2", 60)
}

// killer kills instances of the shop service, found by status -o json.
type killer struct {
	t     *testing.T
	srv   *server
	start time.Time
	log   []string // "id pid N (rev R) at +T", or why none was killed
	kills int
}

// killOne kills -9 a random ready, live instance, when at least one
// other ready, live instance stays to take the traffic.
func (k *killer) killOne() {
	k.t.Helper()
	svc, _ := find(k.srv.statusCLI(), "shop")
	var live []api.Instance
	for _, in := range svc.Instances {
		if in.Ready && in.State == "Running" && alive(in.PID) {
			live = append(live, in)
		}
	}
	if len(live) < 2 {
		k.log = append(k.log, fmt.Sprintf("skipped at +%s: %d live ready instances", k.since(), len(live)))
		return
	}
	v := live[rand.IntN(len(live))]
	if err := syscall.Kill(v.PID, syscall.SIGKILL); err != nil {
		k.t.Fatalf("kill instance %s pid %d: %v", v.ID, v.PID, err)
	}
	k.kills++
	k.log = append(k.log, fmt.Sprintf("%s pid %d (rev %d) at +%s", v.ID, v.PID, v.Revision, k.since()))
}

func (k *killer) since() time.Duration { return time.Since(k.start).Round(time.Millisecond) }

// closed waits up to d for c to close and reports whether it did.
func closed(c <-chan struct{}, d time.Duration) bool {
	select {
	case <-c:
		return true
	case <-time.After(d):
		return false
	}
}
