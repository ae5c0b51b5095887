package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

func TestNeverReadyRollsBackStack(t *testing.T) {
	dir := specDir(t)
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, dir, "slipway.yaml", fastSpec("", "", "5s"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	want := map[string]int{"order": 2, "invoice": 2}
	v1 := srv.waitConverged(10*time.Second, want)
	order1, _ := find(v1, "order")
	orderPIDs := instancePIDs(order1)

	stopWatch := watchPIDs(orderPIDs)
	writeSpec(t, dir, "slipway.yaml", fastSpec(`, NEVER_READY: "1"`, `, GREETING: changed`, "5s"))
	r := srv.cli("apply", "-f", file, "--wait", "--timeout", "60s")
	if d := stopWatch(); len(d) > 0 {
		t.Errorf("order v1 instances stopped during the failed rollout: %v", d)
	}
	t.Logf("failed apply:\n%s", r)
	checkFailureReport(t, r)

	svcs := srv.waitConverged(10*time.Second, want)
	for _, name := range []string{"order", "invoice"} {
		if svc, _ := find(svcs, name); svc.Revision != 1 || svc.Stable != 1 {
			t.Errorf("%s is on revision %d (stable %d); want 1", name, svc.Revision, svc.Stable)
		}
	}
	if got := instancePIDs(srv.service("order")); !maps.Equal(got, orderPIDs) {
		t.Errorf("order instances after rollback = %v; want the v1 ones untouched %v", got, orderPIDs)
	}
	checkRolledBack(t, srv)
}

// checkFailureReport checks that a failed apply --wait names the service,
// an instance of order's new revision, the reason and log lines.
func checkFailureReport(t *testing.T, r result) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("apply --wait of a never-ready revision exited 0:\n%s", r)
	}
	out := r.stdout + r.stderr
	checks := []struct {
		what string
		re   string
	}{
		{"the service", `service:\s+order`},
		{"an instance of revision 2", `instance:\s+order-2-\w+`},
		{"the reason", `(?i)readiness.*503`},
		{"log lines", `(?s)last log lines:.*listening on 127\.0\.0\.1`},
	}
	for _, c := range checks {
		if !regexp.MustCompile(c.re).MatchString(out) {
			t.Errorf("failed apply output does not name %s (%s)", c.what, c.re)
		}
	}
}

// checkRolledBack checks that history marks order's revision 2 RolledBack.
func checkRolledBack(t *testing.T, srv *server) {
	t.Helper()
	h := srv.mustCLI("history", "order", "-o", "json")
	var revs []api.Revision
	if err := json.Unmarshal([]byte(h.stdout), &revs); err != nil {
		t.Fatalf("history -o json: %v\n%s", err, h)
	}
	states := map[int]string{}
	for _, rev := range revs {
		states[rev.Number] = rev.State
		if rev.Current != (rev.Number == 1) {
			t.Errorf("order revision %d current = %v", rev.Number, rev.Current)
		}
	}
	if states[2] != "RolledBack" {
		t.Errorf("order revision 2 state = %q; want RolledBack (history: %v)", states[2], states)
	}
	if text := srv.mustCLI("history", "order").stdout; !strings.Contains(text, "RolledBack") {
		t.Errorf("history order does not show RolledBack:\n%s", text)
	}
}

// watchPIDs checks every 50ms that every pid stays alive; stop returns
// the ones that died.
func watchPIDs(pids map[string]int) (stop func() []string) {
	var (
		mu   sync.Mutex // guards dead
		dead = map[string]bool{}
	)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			for id, pid := range pids {
				if !alive(pid) {
					mu.Lock()
					dead[id] = true
					mu.Unlock()
				}
			}
			select {
			case <-quit:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	return func() []string {
		close(quit)
		<-done
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for id := range dead {
			out = append(out, fmt.Sprintf("%s (pid %d)", id, pids[id]))
		}
		return out
	}
}

// layeredSpec has base (changed by %[1]s) under top (changed by %[2]s),
// which depends on it: base converges first.
const layeredSpec = `app: layered
services:
  base:
    run: ["./bin/order", "--name", "base", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: v1%[1]s}
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    stopGrace: 2s
    strategy:
      rolling: {progressDeadline: 5s}
  top:
    run: ["./bin/order", "--name", "top", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: v1%[2]s}
    instances: 1
    dependsOn: [base]
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    stopGrace: 2s
    strategy:
      rolling: {progressDeadline: 5s}
`

func TestFailedDependentRevertsConvergedDependency(t *testing.T) {
	dir := specDir(t)
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(layeredSpec, "", ""))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	want := map[string]int{"base": 1, "top": 1}
	srv.waitConverged(10*time.Second, want)

	writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(layeredSpec, `, RELEASE: "2"`, `, NEVER_READY: "1"`))
	r := srv.cli("apply", "-f", file, "--wait", "--timeout", "60s")
	if r.code == 0 {
		t.Fatalf("apply with a never-ready top exited 0:\n%s", r)
	}
	if !regexp.MustCompile(`service:\s+top`).MatchString(r.stderr) {
		t.Errorf("failed apply does not name service top:\n%s", r)
	}
	svcs := srv.waitConverged(15*time.Second, want)
	for _, name := range []string{"base", "top"} {
		if svc, _ := find(svcs, name); svc.Revision != 1 {
			t.Errorf("%s on revision %d after the stack rolled back; want 1", name, svc.Revision)
		}
	}
	checkServesRevision(t, svcs, "base", "1")
	checkServesRevision(t, svcs, "top", "1")
}
