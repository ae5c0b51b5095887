package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// badSpecs are specs with one problem each: where it is (the accepted
// lines) and the field path the error must name ("" for syntax errors).
var badSpecs = []struct {
	name  string
	text  string
	lines []int
	path  string
}{
	{"malformed YAML: unclosed flow sequence",
		"app: shop\nservices:\n  order:\n    run: [\"./bin/order\", \"--port\"\n    instances: 2\n",
		[]int{4, 5}, ""},
	{"malformed YAML: bad indentation",
		"app: shop\nservices:\n  order:\n    run: [\"./bin/order\"]\n   instances: 2\n",
		[]int{5}, ""},
	{"unknown field",
		"app: shop\nservices:\n  order:\n    run: [\"./bin/order\"]\n    instancez: 2\n",
		[]int{5}, "services.order.instancez"},
	{"wrong type",
		"app: shop\nservices:\n  order:\n    run: [\"./bin/order\"]\n    instances: two\n",
		[]int{5}, "services.order.instances"},
	{"negative instances",
		"app: shop\nservices:\n  order:\n    run: [\"./bin/order\"]\n    instances: -1\n",
		[]int{5}, "services.order.instances"},
	{"missing run",
		"app: shop\nservices:\n  order:\n    instances: 1\n",
		[]int{3, 4}, "services.order.run"},
	{"dependency cycle",
		"app: shop\nservices:\n  a:\n    run: [\"x\"]\n    dependsOn: [b]\n  b:\n    run: [\"x\"]\n    dependsOn: [a]\n",
		[]int{5, 8}, "dependsOn"},
	{"unknown dependsOn",
		"app: shop\nservices:\n  a:\n    run: [\"x\"]\n    dependsOn: [nosuch]\n",
		[]int{5}, "services.a.dependsOn"},
	{"same route twice",
		"app: shop\nservices:\n  a:\n    run: [\"x\"]\n    route: {path: /x}\n  b:\n    run: [\"x\"]\n    route: {path: /x}\n",
		[]int{5, 8}, "route"},
	{"missing artifact file",
		"app: shop\nservices:\n  a:\n    run: [\"./bin/nope\"]\n    artifact: {path: ./bin/nope}\n",
		[]int{5}, "services.a.artifact.path"},
}

// problemLine matches "file:line: path: message" in CLI output.
var problemLine = regexp.MustCompile(`(?m)^(\S+\.yaml):(\d+): (.*)$`)

func TestBadInputChangesNothing(t *testing.T) {
	srv := startServer(t, t.TempDir())
	dir := specDir(t)
	good := writeSpec(t, dir, "slipway.yaml", fastSpec("", "", "10s"))
	srv.mustCLI("apply", "-f", good, "--wait", "--timeout", "30s")
	srv.waitConverged(10*time.Second, map[string]int{"order": 2, "invoice": 2})
	status := srv.mustCLI("status", "-o", "json").stdout
	events := srv.mustCLI("events", "-o", "json").stdout

	for i, bad := range badSpecs {
		t.Run(bad.name, func(t *testing.T) {
			file := writeSpec(t, dir, fmt.Sprintf("bad%d.yaml", i), bad.text)
			for _, verb := range []string{"validate", "apply"} {
				r := runCLI(t, 30*time.Second, "--server", srv.url, "--token-file", srv.tokenFile(), verb, "-f", file)
				checkProblem(t, r, file, bad.lines, bad.path)
			}
			if bad.name != "missing artifact file" { // the server never sees local files
				checkServerRejects(t, srv, bad.text, bad.path)
			}
		})
	}
	if got := srv.mustCLI("status", "-o", "json").stdout; got != status {
		t.Errorf("bad input changed status:\nbefore: %s\nafter: %s", status, got)
	}
	if got := srv.mustCLI("events", "-o", "json").stdout; got != events {
		t.Errorf("bad input changed events:\nbefore: %s\nafter: %s", events, got)
	}
	t.Run("API address taken", func(t *testing.T) { checkAddressTaken(t, srv) })
	t.Run("rollback to unknown revision", func(t *testing.T) {
		r := srv.cli("rollback", "order", "--to", "99")
		if r.code == 0 || !strings.Contains(r.stderr, "99") || !strings.Contains(r.stderr, "revision") {
			t.Errorf("rollback --to 99 should fail naming revision 99:\n%s", r)
		}
	})
	t.Run("unknown service", func(t *testing.T) {
		r := srv.cli("status", "nosuch")
		if r.code == 0 || !strings.Contains(r.stderr, `nosuch`) || !strings.Contains(strings.ToLower(r.stderr), "service") {
			t.Errorf("status nosuch should fail naming the service:\n%s", r)
		}
	})
}

// checkProblem checks that a CLI run failed naming file:line and path.
func checkProblem(t *testing.T, r result, file string, lines []int, path string) {
	t.Helper()
	if r.code == 0 {
		t.Errorf("bad spec accepted:\n%s", r)
		return
	}
	for _, m := range problemLine.FindAllStringSubmatch(r.stderr, -1) {
		var line int
		fmt.Sscan(m[2], &line)
		if m[1] == file && contains(lines, line) && strings.Contains(m[3], path) {
			return
		}
	}
	t.Errorf("stderr does not name %s:%v and %q:\n%s", file, lines, path, r)
}

// checkServerRejects posts the spec to /v1/validate and /v1/apply and
// checks a 4xx with a problem naming line and path.
func checkServerRejects(t *testing.T, srv *server, text, path string) {
	t.Helper()
	body, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: text})
	for _, ep := range []string{"/v1/validate", "/v1/apply"} {
		code, resp, err := httpDo("POST", srv.url+ep, srv.token, body)
		if err != nil {
			t.Fatal(err)
		}
		var eb api.ErrorBody
		_ = json.Unmarshal([]byte(resp), &eb)
		if code < 400 || code >= 500 || len(eb.Error.Problems) == 0 {
			t.Errorf("POST %s of a bad spec: %d %s", ep, code, resp)
			continue
		}
		p := eb.Error.Problems[0]
		if p.Line == 0 || !strings.Contains(p.Path, path) {
			t.Errorf("POST %s: problem %+v does not name a line and %q", ep, p, path)
		}
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// checkAddressTaken starts a second server on srv's API address.
func checkAddressTaken(t *testing.T, srv *server) {
	second := spawnServer(t, t.TempDir(), "--api", srv.addr)
	if !second.exited(10 * time.Second) {
		t.Fatalf("a second server on %s did not exit", srv.addr)
	}
	if second.err == nil {
		t.Errorf("a second server on %s exited 0", srv.addr)
	}
	if out := second.stderr.String(); !strings.Contains(out, srv.addr) {
		t.Errorf("second server's message does not name %s:\n%s", srv.addr, out)
	}
	if code, _, err := httpDo("GET", srv.url+"/v1/health", "", nil); err != nil || code != http.StatusOK {
		t.Errorf("first server unhealthy after the second one failed: %d %v", code, err)
	}
}
