package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// readmeSpec is the README's example app spec, exactly as written there:
// examples/slipway.yaml, which TestReadmeShowsTheExampleSpec keeps in step
// with the README.
func readmeSpec(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", "slipway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReadmeShowsTheExampleSpec(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), readmeSpec(t)) {
		t.Fatal("README.md no longer shows examples/slipway.yaml as written; update one or the other")
	}
}

func TestExampleSpecConverges(t *testing.T) {
	srv := startServer(t, t.TempDir())
	dir := specDir(t)
	file := writeSpec(t, dir, "slipway.yaml", readmeSpec(t))

	srv.mustCLI("validate", "-f", file)
	plan := srv.mustCLI("plan", "-f", file)
	for _, want := range []string{"invoice", "order", "2 to add"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan does not mention %q:\n%s", want, plan)
		}
	}
	apply := srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "60s")
	t.Logf("apply:\n%s", apply)

	svcs := srv.statusCLI()
	if ok, diag := converged(svcs, map[string]int{"invoice": 3, "order": 2}); !ok {
		t.Fatalf("status after apply --wait is not converged: %s", diag)
	}
	for _, svc := range svcs {
		checkInstancesServe(t, svc)
	}
	checkOrderEnv(t, svcs)
	checkHistory(t, srv, file)
	checkEvents(t, srv)
	checkLogs(t, srv, svcs)
}

// checkInstancesServe checks that every instance's PID is alive and that
// it answers HTTP on its port.
func checkInstancesServe(t *testing.T, svc api.Service) {
	t.Helper()
	for _, in := range svc.Instances {
		if !alive(in.PID) {
			t.Errorf("%s: instance %s pid %d is not alive", svc.Name, in.ID, in.PID)
		}
		code, _, err := httpDo("GET", fmt.Sprintf("http://127.0.0.1:%d/", in.Port), "", nil)
		if err != nil || code != 200 {
			t.Errorf("%s: instance %s on port %d: %d %v", svc.Name, in.ID, in.Port, code, err)
		}
	}
}

// checkOrderEnv checks, through order's JSON answer, that each instance
// got its port, revision and instance ID in its environment.
func checkOrderEnv(t *testing.T, svcs []api.Service) {
	t.Helper()
	order, _ := find(svcs, "order")
	for _, in := range order.Instances {
		m, err := fetchJSON(fmt.Sprintf("http://127.0.0.1:%d/", in.Port))
		if err != nil {
			t.Errorf("order instance %s: %v", in.ID, err)
			continue
		}
		// The port is PORT expanded into --port: it answered on in.Port.
		if m["revision"] != "1" || m["instance"] != in.ID || m["service"] != "order" {
			t.Errorf("order instance %s answered %v; want revision 1, instance %s", in.ID, m, in.ID)
		}
	}
}

func checkHistory(t *testing.T, srv *server, file string) {
	t.Helper()
	h := srv.mustCLI("history", "order")
	if !strings.Contains(h.stdout, "1") || !strings.Contains(h.stdout, "v1.0.0") {
		t.Errorf("history order does not show revision 1:\n%s", h)
	}
	var revs []api.Revision
	hj := srv.mustCLI("history", "order", "-o", "json")
	if err := json.Unmarshal([]byte(hj.stdout), &revs); err != nil {
		t.Fatalf("history -o json: %v\n%s", err, hj)
	}
	if len(revs) != 1 || revs[0].Number != 1 || !revs[0].Current {
		t.Errorf("history order -o json = %+v; want one current revision 1", revs)
	}
	want := "sha256:" + sha256File(t, filepath.Join(filepath.Dir(file), "bin", "order"))
	if len(revs) > 0 && revs[0].Digest != want {
		t.Errorf("revision 1 digest = %q; want %q", revs[0].Digest, want)
	}
}

func checkEvents(t *testing.T, srv *server) {
	t.Helper()
	r := srv.mustCLI("events")
	started := strings.Index(r.stdout, "operation.started")
	succeeded := strings.Index(r.stdout, "operation.succeeded")
	if started < 0 || succeeded < started {
		t.Errorf("events do not list operation.started ... operation.succeeded:\n%s", r)
	}
	types := eventTypes(srv.events())
	if !slices.Contains(types, "operation.started") || !slices.Contains(types, "operation.succeeded") {
		t.Errorf("GET /v1/events types = %v", types)
	}
}

// checkLogs checks that `logs order` prefixes lines with instance IDs; an
// instance logs once it listens, so this polls briefly.
func checkLogs(t *testing.T, srv *server, svcs []api.Service) {
	t.Helper()
	order, _ := find(svcs, "order")
	var last result
	waitFor(t, 5*time.Second, "order logs from every instance", func() (bool, string) {
		last = srv.mustCLI("logs", "order")
		for _, in := range order.Instances {
			if !strings.Contains(last.stdout, in.ID+" | order v1 listening") {
				return false, last.String()
			}
		}
		return true, ""
	})
	for _, line := range strings.Split(strings.TrimSpace(last.stdout), "\n") {
		id, _, ok := strings.Cut(line, " | ")
		if !ok || !strings.HasPrefix(id, "order-1-") {
			t.Errorf("log line %q is not prefixed with an instance ID", line)
		}
	}
}
