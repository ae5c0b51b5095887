package e2e

// Blue/green, end to end and under load: the whole new revision starts
// beside the active one, only the preview header reaches it until
// `slipway rollout promote`, the switch is all at once, the previous
// revision is kept for scaleDownDelay (so a rollback within it is a
// traffic switch, with no instance started), and not one request through
// the router fails meanwhile.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// bgPreviewHeader is the default preview header of a blue/green rollout.
const bgPreviewHeader = "X-Slipway-Preview"

// bgPreview is the header set of a request for the preview revision:
// the header carrying the rollout's secret, as the status API shows it.
func bgPreview(secret string) http.Header { return http.Header{bgPreviewHeader: {secret}} }

// writeBG rewrites the app's spec file with the bg app, the shop service
// at version with a blue/green strategy, and returns its path.
func (a *zdApp) writeBG(version string, autoPromote bool, scaleDownDelay string) string {
	spec := shopSpec("bg", "VERSION: "+version,
		fmt.Sprintf("blueGreen: {autoPromote: %t, scaleDownDelay: %s, progressDeadline: 20s}", autoPromote, scaleDownDelay))
	return writeSpec(a.srv.t, a.dir, "slipway.yaml", a.routed(spec))
}

// startBGApp starts a server, applies v1 of the bg app and waits until the
// router serves it.
func startBGApp(t *testing.T, autoPromote bool, scaleDownDelay string) *zdApp {
	t.Helper()
	a := &zdApp{srv: startServer(t, t.TempDir()), dir: specDir(t)}
	a.file = a.writeBG("v1", autoPromote, scaleDownDelay)
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s")
	a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	a.waitServes("v1", 5*time.Second)
	return a
}

// readyByRevision counts the ready, running instances of svc per revision.
func readyByRevision(svc api.Service) map[int]int {
	out := map[int]int{}
	for _, in := range svc.Instances {
		if in.Ready && in.State == "Running" {
			out[in.Revision]++
		}
	}
	return out
}

// revisionPIDs maps instance ID to PID for svc's instances of revision rev.
func revisionPIDs(svc api.Service, rev int) map[string]int {
	m := map[string]int{}
	for _, in := range svc.Instances {
		if in.Revision == rev {
			m[in.ID] = in.PID
		}
	}
	return m
}

// describe is a one-line summary of svc, for diagnostics.
func describe(svc api.Service) string {
	var ins []string
	for _, in := range svc.Instances {
		ins = append(ins, fmt.Sprintf("%s(rev %d %s ready=%v)", in.ID, in.Revision, in.State, in.Ready))
	}
	return fmt.Sprintf("rev %d stable %d phase %s traffic %+v message %q instances %s",
		svc.Revision, svc.Stable, svc.Phase, svc.Traffic, svc.Message, strings.Join(ins, " "))
}

// probeChanges returns the prober's answer changes so far.
func (p *prober) probeChanges() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.changes)
}

func TestBlueGreenPromoteUnderLoad(t *testing.T) {
	const scaleDownDelay = 5 * time.Second
	a := startBGApp(t, false, "5s")
	v1 := revisionPIDs(a.srv.service("shop"), 1)

	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond) // steady load before the release

	// Apply v2 without --wait: the operation starts and stays running
	// while the rollout waits for a promotion.
	r := a.srv.mustCLI("apply", "-f", a.writeBG("v2", false, "5s"))
	opID, ok := startedOperation(r.stdout)
	if !ok {
		l.stop()
		t.Fatalf("apply does not say which operation started:\n%s", r)
	}
	var active []api.Operation
	if err := a.srv.getJSON("/v1/operations?active=true", &active); err != nil {
		t.Errorf("GET /v1/operations?active=true: %v", err)
	} else if !slices.ContainsFunc(active, func(op api.Operation) bool { return op.ID == opID }) {
		t.Errorf("operation %d is not among the active operations: %+v", opID, active)
	}

	// 6 ready instances (3 of each revision), and a message saying the
	// rollout waits for `slipway rollout promote`.
	var waiting api.Service
	waitFor(t, 20*time.Second, "3 ready instances of each revision, waiting for promotion", func() (bool, string) {
		svc, _ := find(a.srv.statusCLI(), "shop")
		waiting = svc
		by := readyByRevision(svc)
		ok := svc.Revision == 2 && len(svc.Instances) == 6 && by[1] == 3 && by[2] == 3 &&
			strings.Contains(svc.Message, "slipway rollout promote shop")
		return ok, describe(svc)
	})
	ready := time.Since(l.start)
	t.Logf("v2 ready beside v1 after +%s: %s", ready.Round(time.Millisecond), waiting.Message)
	if tr := waiting.Traffic; tr == nil || tr.Active != 1 || tr.Preview != 2 {
		t.Errorf("while waiting for promotion, traffic is %+v; want active 1, preview 2", tr)
	}
	if waiting.Phase != "Progressing" {
		t.Errorf("while waiting for promotion, shop is %s; want Progressing", waiting.Phase)
	}
	if got := a.versions(60); got["v1"] != 60 {
		t.Errorf("while waiting for promotion, plain requests were answered by %v; want all by v1", got)
	}
	secret := ""
	if tr := waiting.Traffic; tr != nil {
		secret = tr.PreviewSecret
	}
	if got := a.versionsWith(30, bgPreview(secret)); secret == "" || got["v2"] != 30 {
		t.Errorf("while waiting for promotion, requests with %s: %q were answered by %v; want all by v2", bgPreviewHeader, secret, got)
	}
	if got := a.versionsWith(20, bgPreview("false")); got["v1"] != 20 {
		t.Errorf("while waiting for promotion, requests with %s: false were answered by %v; want all by v1", bgPreviewHeader, got)
	}
	// Waiting is not bounded by the 20s progress deadline, nor does it end
	// the operation.
	if op, err := a.srv.operation(opID); err != nil || op.State != "Running" {
		t.Errorf("while waiting for promotion, operation %d is %+v (%v); want Running", opID, op, err)
	}
	if seen := l.probe.seen(); seen["v2"] != 0 {
		t.Errorf("before the promotion, %d plain probes were answered by v2: %s", seen["v2"], l.probe)
	}

	// Promote: all plain traffic goes to v2 at once.
	promoted := time.Now()
	pr := a.srv.mustCLI("rollout", "promote", "shop")
	t.Logf("%s", strings.TrimSpace(pr.stdout))
	c := a.client()
	var switched time.Duration
	waitFor(t, 2*time.Second, "a plain request answered by v2 after the promotion", func() (bool, string) {
		v, err := a.get(c)
		switched = time.Since(promoted)
		return err == nil && v == "v2", fmt.Sprintf("%q %v", v, err)
	})
	c.CloseIdleConnections()
	t.Logf("traffic switched %s after `rollout promote` was started", switched.Round(time.Millisecond))
	if got := a.versions(60); got["v2"] != 60 {
		t.Errorf("after the promotion, plain requests were answered by %v; want all by v2", got)
	}

	// The apply's operation ends Succeeded.
	var op api.Operation
	waitFor(t, 10*time.Second, fmt.Sprintf("operation %d terminal", opID), func() (bool, string) {
		var err error
		op, err = a.srv.operation(opID)
		return err == nil && op.Terminal, fmt.Sprintf("%+v %v", op, err)
	})
	if !op.Succeeded() {
		t.Errorf("operation %d ended %s; want Succeeded: %+v", opID, op.State, op)
	}

	// v1 is kept for scaleDownDelay, then removed: 3 instances left.
	if svc := a.srv.service("shop"); readyByRevision(svc)[1] != 3 && time.Since(promoted) < scaleDownDelay-time.Second {
		t.Errorf("v1 instances gone %s after the promotion, before scaleDownDelay %s: %s",
			time.Since(promoted).Round(time.Millisecond), scaleDownDelay, describe(svc))
	}
	var gone time.Duration
	waitFor(t, scaleDownDelay+15*time.Second, "v1 instances removed after scaleDownDelay", func() (bool, string) {
		svc := a.srv.service("shop")
		gone = time.Since(promoted)
		return len(svc.Instances) == 3 && len(revisionPIDs(svc, 1)) == 0, describe(svc)
	})
	t.Logf("v1 instances removed %s after the promotion (scaleDownDelay %s)", gone.Round(time.Millisecond), scaleDownDelay)
	if gone < scaleDownDelay-500*time.Millisecond {
		t.Errorf("v1 instances removed %s after the promotion; want no earlier than scaleDownDelay %s", gone, scaleDownDelay)
	}
	time.Sleep(300 * time.Millisecond) // load after the scale-down
	res, took := l.stop()

	checkNoFailures(t, "blue/green promote", res, took, l.probe)
	for id, pid := range v1 {
		if alive(pid) {
			t.Errorf("v1 instance %s (pid %d) still alive after the scale-down", id, pid)
		}
	}
	svcs := a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})
	if svc, _ := find(svcs, "shop"); svc.Revision != 2 || svc.Stable != 2 {
		t.Errorf("shop on revision %d (stable %d) after the promotion; want 2", svc.Revision, svc.Stable)
	}
	a.checkServes("v2", 60)
	// The prober saw v1, then v2, and never v1 again.
	if ch := l.probe.probeChanges(); len(ch) != 2 || !strings.HasPrefix(ch[0], "v1 ") || !strings.HasPrefix(ch[1], "v2 ") {
		t.Errorf("plain probes' answers changed %v; want v1 then v2 once", ch)
	}
}

func TestBlueGreenRollbackIsInstant(t *testing.T) {
	a := startBGApp(t, true, "60s")
	a.srv.mustCLI("apply", "-f", a.writeBG("v2", true, "60s"), "--wait", "--timeout", "40s")
	var before api.Service
	waitFor(t, 15*time.Second, "v2 promoted with v1 kept", func() (bool, string) {
		svc := a.srv.service("shop")
		before = svc
		by := readyByRevision(svc)
		ok := svc.Revision == 2 && svc.Stable == 2 && svc.Phase == "Ready" && by[1] == 3 && by[2] == 3 &&
			svc.Traffic != nil && svc.Traffic.Active == 2
		return ok, describe(svc)
	})
	a.waitServes("v2", 5*time.Second)
	v1 := revisionPIDs(before, 1)
	t.Logf("before the rollback: traffic %+v, v1 instances %v", before.Traffic, v1)
	if before.Traffic.Kept != 1 {
		t.Errorf("after the promotion, traffic.kept = %d; want 1 (v1 kept for scaleDownDelay)", before.Traffic.Kept)
	}

	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	r := a.srv.cli("rollback", "shop", "--wait", "--timeout", "30s", "--reason", "blue/green e2e")
	took := time.Since(start)
	// Right away, without any settling: the rollback is a traffic switch.
	got := a.versions(60)
	time.Sleep(300 * time.Millisecond)
	res, ran := l.stop()
	if r.code != 0 {
		t.Fatalf("rollback failed:\n%s", r)
	}
	t.Logf("rollback --wait returned after %s under load: %s", took.Round(time.Millisecond), strings.SplitN(r.stdout, "\n", 2)[0])
	if took > 2*time.Second {
		t.Errorf("rollback --wait took %s with v1 still running; want a traffic switch (well under 2s)", took)
	}
	if got["v1"] != 60 {
		t.Errorf("right after the rollback, plain requests were answered by %v; want all by v1", got)
	}
	checkNoFailures(t, "blue/green rollback", res, ran, l.probe)

	after := a.srv.service("shop")
	t.Logf("after the rollback: %s", describe(after))
	if after.Revision != 1 {
		t.Errorf("shop on revision %d after the rollback; want 1", after.Revision)
	}
	if got := revisionPIDs(after, 1); fmt.Sprint(got) != fmt.Sprint(v1) {
		t.Errorf("the rollback changed v1's instances: %v -> %v; want the kept ones reused, none started", v1, got)
	}
	for _, ev := range a.srv.events() {
		if ev.Time.Before(start) || ev.Revision != 1 {
			continue
		}
		if strings.Contains(ev.Type, "instance.start") || strings.Contains(ev.Type, "instance.created") {
			t.Errorf("an instance of revision 1 was started by the rollback: %s %s %s", ev.Type, ev.Instance, ev.Message)
		}
	}
	a.checkServes("v1", 60)
}

func TestPromoteWithNothingToPromote(t *testing.T) {
	a := startBGApp(t, false, "5s")
	r := a.srv.cli("rollout", "promote", "shop")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "nothing to promote") {
		t.Errorf("promote on a converged service should fail saying there is nothing to promote:\n%s", r)
	}
	t.Logf("%s", strings.TrimSpace(r.stderr))
	if r := a.srv.cli("rollout", "promote", "nosuch"); r.code == 0 {
		t.Errorf("promote of an unknown service succeeded:\n%s", r)
	}
}
