package e2e

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRestartUnderLoad restarts every instance of a service while load
// runs through the router: not one request fails, every instance is
// new, the revision is the same, and the restart is an event with who
// asked. A restart asked mid-rollout is refused, changing nothing.
func TestRestartUnderLoad(t *testing.T) {
	a := startZDApp(t)
	before := instancePIDs(a.srv.service("shop"))
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	r := a.srv.cli("restart", "shop", "--wait", "--timeout", "40s")
	time.Sleep(300 * time.Millisecond)
	res, took := l.stop()
	if r.code != 0 {
		t.Fatalf("restart failed:\n%s", r)
	}
	checkNoFailures(t, "rolling restart", res, took, l.probe)
	svc := a.srv.waitConverged(10*time.Second, map[string]int{"shop": 3})[0]
	if svc.Revision != 1 {
		t.Errorf("restart made revision %d; want none (still 1)", svc.Revision)
	}
	for id := range instancePIDs(svc) {
		if _, ok := before[id]; ok {
			t.Errorf("instance %s was not replaced", id)
		}
	}
	var by string
	for _, e := range a.srv.events() {
		if e.Type == "service.restart.requested" && e.Service == "shop" {
			by = e.By
		}
	}
	if by == "" {
		t.Errorf("no service.restart.requested event with who asked; events: %v", eventTypes(a.srv.events()))
	}

	// Mid-rollout: a release whose instances never get ready.
	bad := a.write("v2", `, NEVER_READY: "1"`, "30s")
	a.srv.mustCLI("apply", "-f", bad)
	waitFor(t, 10*time.Second, "shop progressing", func() (bool, string) {
		s := a.srv.service("shop")
		return s.Phase == "Progressing", s.Phase
	})
	r = a.srv.cli("restart", "shop")
	if r.code == 0 || !strings.Contains(r.stderr, "once its rollout is over") {
		t.Errorf("restart mid-rollout:\n%s", r)
	}
}

// TestScaleHoldsUntilApplyChangesInstances: scale changes the running
// instances with an event and no revision; plan says it holds; an apply
// that changes something else keeps it, one that changes instances ends
// it. Bad counts are refused.
func TestScaleHoldsUntilApplyChangesInstances(t *testing.T) {
	a := startZDApp(t)
	r := a.srv.mustCLI("scale", "shop", "5")
	if !strings.Contains(r.stdout, "shop scaled to 5 instances") {
		t.Errorf("scale says:\n%s", r)
	}
	if svc := a.srv.waitConverged(20*time.Second, map[string]int{"shop": 5})[0]; svc.Revision != 1 || !svc.Scaled {
		t.Errorf("after scale: revision %d scaled %v", svc.Revision, svc.Scaled)
	}
	for _, bad := range []string{"-1", "100000", "two"} {
		if r := a.srv.cli("scale", "shop", bad); r.code == 0 {
			t.Errorf("scale shop %s was accepted:\n%s", bad, r)
		}
	}
	file := a.write("v2", "", "20s")
	r = a.srv.mustCLI("plan", "-f", file)
	if !strings.Contains(r.stdout, "shop keeps 5 instances set by slipway scale") {
		t.Errorf("plan does not say the scale holds:\n%s", r)
	}
	a.srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "40s")
	a.srv.waitConverged(20*time.Second, map[string]int{"shop": 5})

	spec := strings.Replace(shopSpec("zd", "VERSION: v2", "rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: 20s}"),
		"instances: 3", "instances: 2", 1)
	file = writeSpec(t, a.dir, "slipway.yaml", a.routed(spec))
	r = a.srv.mustCLI("plan", "-f", file)
	if !strings.Contains(r.stdout, "this apply changes instances, which ends that") {
		t.Errorf("plan does not say the scale ends:\n%s", r)
	}
	a.srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "40s")
	if svc := a.srv.waitConverged(20*time.Second, map[string]int{"shop": 2})[0]; svc.Scaled {
		t.Error("the scale still holds after an apply changed instances")
	}
}

// TestExecInInstance runs commands in an instance: its environment and
// working directory, its output, its exit code as the CLI's, and an
// event of who ran what.
func TestExecInInstance(t *testing.T) {
	a := startZDApp(t)
	r := a.srv.mustCLI("exec", "shop", "--", "sh", "-c", `echo "version=$VERSION service=$SLIPWAY_SERVICE"; ls bin`)
	if !strings.Contains(r.stdout, "version=v1 service=shop") || !strings.Contains(r.stdout, "order") {
		t.Errorf("exec does not run in the instance's env and work dir:\n%s", r)
	}
	r = a.srv.cli("exec", "shop", "--", "sh", "-c", "echo failing >&2; exit 7")
	if r.code != 7 || !strings.Contains(r.stdout, "failing") {
		t.Errorf("exec of a failing command: want exit 7 and its output:\n%s", r)
	}
	if r := a.srv.cli("exec", "shop", "ls"); r.code == 0 || !strings.Contains(r.stderr, "after --") {
		t.Errorf("exec without --:\n%s", r)
	}
	if n := execEvents(a.srv); n != 2 {
		t.Errorf("%d instance.exec events with who and where, want 2: %v", n, eventTypes(a.srv.events()))
	}
	checkExecStreams(t, a.srv)
}

// execEvents counts the instance.exec events saying who ran it where.
func execEvents(srv *server) int {
	n := 0
	for _, e := range srv.events() {
		if e.Type == "instance.exec" && e.By != "" && e.Instance != "" {
			n++
		}
	}
	return n
}

// checkExecStreams runs a command that prints a line, then waits until
// its timeout kills it: the line must reach the CLI's output before the
// command ended (its instance.exec event is recorded once it has).
func checkExecStreams(t *testing.T, srv *server) {
	t.Helper()
	cmd := exec.Command(bin.slipway, "--server", srv.url, "--token-file", srv.tokenFile(),
		"exec", "shop", "--timeout", "5s", "--", "sh", "-c", "echo first; sleep 60; echo never")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	ended := execEvents(srv)
	rest, _ := io.ReadAll(stdout)
	werr := cmd.Wait()
	if err != nil || line != "first\n" || ended != 2 {
		t.Errorf("first line %q (%v) came after the command ended (%d exec events, want the 2 before it)", line, err, ended)
	}
	if n := execEvents(srv); n != 3 {
		t.Errorf("%d exec events once it ended, want 3", n)
	}
	if strings.Contains(string(rest), "never") || werr == nil {
		t.Errorf("the command outlived its timeout: rest %q, exit %v", rest, werr)
	}
}
