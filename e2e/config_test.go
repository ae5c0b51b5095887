package e2e

// Dynamic configuration (issue 15) with real processes: each instance
// reads its config file at start and again on SIGHUP, and reports the
// version it applied on its readiness check. A version set at run time
// is delivered in steps; a server killed with SIGKILL in the middle of
// a delivery finishes it once restarted.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// configApp is an instance that reads its config (SLIPWAY_CONFIG_SETTINGS,
// or settings.json in SLIPWAY_CONFIG_DIR when it started before the
// config existed, and the version beside it), again on SIGHUP, and answers with what it
// applied, its version in the Slipway-Config header.
const configApp = `import http.server, json, os, random, signal, sys
path = os.environ.get("SLIPWAY_CONFIG_SETTINGS") or os.path.join(os.environ["SLIPWAY_CONFIG_DIR"], "settings.json")
state = {"values": {}, "version": 0}
def load(*_):
    if not os.path.exists(path):
        return  # no config yet: one added later comes with a SIGHUP
    with open(path) as f:
        values = json.load(f)
    if values.get("broken"):
        return  # refuses it: keeps what it had
    with open(path + ".version") as f:
        state.update(values=values, version=int(f.read()))
load()
signal.signal(signal.SIGHUP, load)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(state).encode()
        fail = state["values"].get("failPercent", 0)
        self.send_response(500 if self.path != "/healthz" and random.random() * 100 < fail else 200)
        self.send_header("Slipway-Config", "settings=%d" % state["version"])
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
`

func configSpec(interval string) string {
	return `app: configured
services:
  web:
    run: ["python3", "app.py", "${PORT}"]
    artifact: {path: ./app.py, version: v1}
    instances: 4
    health: {readiness: {http: /healthz, interval: 200ms}}
configs:
  settings:
    service: web
    rules: ['config.timeoutMs <= 30000']
    values: {timeoutMs: 2000}
    signal: SIGHUP
    delivery: {strategy: {linear: {steps: 2, interval: ` + interval + `}}}
`
}

// configured writes the app and its spec, and applies it.
func configured(t *testing.T, s *server, interval string) {
	t.Helper()
	needPython(t)
	dir := specDir(t)
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(configApp), 0o644); err != nil {
		t.Fatal(err)
	}
	s.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", configSpec(interval)), "--wait", "--timeout", "60s")
	s.waitConverged(20*time.Second, map[string]int{"web": 4})
}

// needPython fails under CI and skips elsewhere when python3 is missing.
func needPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		if os.Getenv("SLIPWAY_CI") == "1" {
			t.Fatal("python3 is missing: apt-get install python3")
		}
		t.Skip("python3 is missing: apt-get install python3")
	}
}

// applied asks each instance what it applied: "version timeoutMs" each.
func (s *server) applied() map[string]string {
	out := map[string]string{}
	for _, in := range s.service("web").Instances {
		code, body, err := httpDo("GET", fmt.Sprintf("http://127.0.0.1:%d/healthz", in.Port), "", nil)
		if err != nil || code != 200 {
			out[in.ID] = "?"
			continue
		}
		var st struct {
			Version int
			Values  map[string]any
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			out[in.ID] = "?"
			continue
		}
		out[in.ID] = fmt.Sprintf("v%d %v", st.Version, st.Values["timeoutMs"])
	}
	return out
}

func (s *server) configStatus() api.Config {
	var c api.Config
	if err := s.getJSON("/v1/configs/settings", &c); err != nil {
		s.t.Fatal(err)
	}
	return c
}

// waitDelivered waits until every instance applied version v (each
// reporting timeoutMs) and the delivery is in phase.
func (s *server) waitDelivered(timeout time.Duration, v int, timeoutMs float64, phase string) {
	s.t.Helper()
	want := fmt.Sprintf("v%d %g", v, timeoutMs)
	waitFor(s.t, timeout, "delivery of "+want, func() (bool, string) {
		got := s.applied()
		for _, a := range got {
			if a != want {
				return false, fmt.Sprint(got)
			}
		}
		c := s.configStatus()
		return len(got) == 4 && c.Delivery != nil && c.Delivery.Phase == phase, fmt.Sprintf("%v %+v", got, c.Delivery)
	})
}

func TestConfigDeliveredInStepsToRealProcesses(t *testing.T) {
	s := startServer(t, t.TempDir())
	configured(t, s, "1s")
	s.waitDelivered(20*time.Second, 1, 2000, "Succeeded")

	out := s.mustCLI("config", "set", "settings", "timeoutMs=3000", "--reason", "slow upstream").stdout
	if !strings.Contains(out, "config settings v2 stored") || !strings.Contains(out, "~ timeoutMs: 2000 -> 3000") {
		t.Errorf("config set says:\n%s", out)
	}
	// Half the instances first: the others keep v1 for the interval.
	waitFor(t, 10*time.Second, "the first step", func() (bool, string) {
		got := s.applied()
		n := 0
		for _, a := range got {
			if a == "v2 3000" {
				n++
			}
		}
		return n == 2, fmt.Sprint(got)
	})
	s.waitDelivered(20*time.Second, 2, 3000, "Succeeded")
	status := s.mustCLI("config", "status", "settings").stdout
	if !strings.Contains(status, "v2 Succeeded") || countRows(status, "v2", "v2") != 4 {
		t.Errorf("config status:\n%s", status)
	}
	var steps int
	for _, e := range s.events() {
		if e.Type == "config.delivery.step" {
			steps++
		}
	}
	if steps != 2 {
		t.Errorf("%d step events, want 2", steps)
	}
	// A value the rules refuse is stored nowhere and delivered nowhere.
	bad := s.cli("config", "set", "settings", "timeoutMs=40000")
	if bad.code == 0 || !strings.Contains(bad.stderr, "config.timeoutMs <= 30000 is false") {
		t.Errorf("a refused value: %d %s", bad.code, bad.stderr)
	}
	if c := s.configStatus(); c.Version != 2 {
		t.Errorf("after the refusal: version %d", c.Version)
	}
}

func TestConfigDeliveryResumesAfterServerKill9(t *testing.T) {
	data := t.TempDir()
	s := startServer(t, data)
	configured(t, s, "3s")
	s.waitDelivered(20*time.Second, 1, 2000, "Succeeded")
	s.mustCLI("config", "set", "settings", "timeoutMs=4000")
	waitFor(t, 10*time.Second, "the first step", func() (bool, string) {
		c := s.configStatus()
		return c.Delivery != nil && c.Delivery.Step == 1 && c.Delivery.Version == 2, fmt.Sprintf("%+v", c.Delivery)
	})
	s.kill()
	s2 := startServer(t, data)
	s2.waitDelivered(30*time.Second, 2, 4000, "Succeeded")
	if c := s2.configStatus(); c.Delivery.Step != 2 || c.Delivery.Previous != 1 {
		t.Errorf("after the restart: %+v", c.Delivery)
	}
	// config stop in the middle of the next delivery: all back on v2.
	s2.mustCLI("config", "set", "settings", "timeoutMs=5000")
	waitFor(t, 10*time.Second, "the first step of v3", func() (bool, string) {
		got := s2.applied()
		n := 0
		for _, a := range got {
			if a == "v3 5000" {
				n++
			}
		}
		return n == 2, fmt.Sprint(got)
	})
	out := s2.mustCLI("config", "stop", "settings", "--reason", "p99 up").stdout
	if !strings.Contains(out, "settings v3 Stopped") || !strings.Contains(out, "stopped: back to v2 (p99 up)") {
		t.Errorf("config stop says:\n%s", out)
	}
	s2.waitDelivered(20*time.Second, 2, 4000, "Stopped")
}

// countRows counts the table rows whose last two fields are a and b.
func countRows(table, a, b string) int {
	n := 0
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[len(f)-2] == a && f[len(f)-1] == b {
			n++
		}
	}
	return n
}

// TestConfigNotAppliedRollsBack: a version the instances refuse to apply
// (they keep the one they had) rolls the delivery back on its own once
// the acknowledgement deadline (30s) passes, with the reason.
func TestConfigNotAppliedRollsBack(t *testing.T) {
	s := startServer(t, t.TempDir())
	configured(t, s, "1s")
	s.waitDelivered(20*time.Second, 1, 2000, "Succeeded")
	s.mustCLI("config", "set", "settings", "broken=true")
	waitFor(t, 60*time.Second, "the rollback", func() (bool, string) {
		c := s.configStatus()
		return c.Delivery != nil && c.Delivery.Phase == "RolledBack", fmt.Sprintf("%+v", c.Delivery)
	})
	c := s.configStatus()
	if !strings.Contains(c.Delivery.Reason, "did not apply v2 in time: back to v1") || c.Delivery.Step != 1 {
		t.Errorf("rolled back: %+v", c.Delivery)
	}
	s.waitDelivered(10*time.Second, 1, 2000, "RolledBack")
	var rolledBack bool
	for _, e := range s.events() {
		rolledBack = rolledBack || e.Type == "config.delivery.rolled_back"
	}
	if !rolledBack {
		t.Error("no config.delivery.rolled_back event")
	}
}

// TestConfigAddedReachesRunningInstances: a config added to a service
// already running is written into each instance's config folder and
// signalled: every instance applies it without a restart.
func TestConfigAddedReachesRunningInstances(t *testing.T) {
	needPython(t)
	s := startServer(t, t.TempDir())
	dir := specDir(t)
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(configApp), 0o644); err != nil {
		t.Fatal(err)
	}
	services, _, _ := strings.Cut(configSpec("1s"), "configs:")
	s.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", services), "--wait", "--timeout", "60s")
	before := instancePIDs(s.waitConverged(20*time.Second, map[string]int{"web": 4})[0])
	s.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", configSpec("1s")), "--wait", "--timeout", "60s")
	s.waitDelivered(20*time.Second, 1, 2000, "Succeeded")
	if after := instancePIDs(s.service("web")); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("instances restarted: %v, then %v", before, after)
	}
}
