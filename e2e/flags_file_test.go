package e2e

// A team keeps its feature flags in a file of their own: applying it
// changes the flags only, and the services keep running; applying the
// services' file afterwards leaves the flags served.

import (
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

// servicesOnly is flagsApp's services, without flags.
const servicesOnly = `app: flagged
services:
  web:
    run: ["./bin/order", "--name", "web", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    health: {readiness: {http: /healthz}}
`

// flagsOnlyFile is flagsApp's flags, in a file without services.
const flagsOnlyFile = "app: flagged\n" + ofreptest.FlagsYAML

func TestAFlagsOnlyFileLeavesTheServicesRunning(t *testing.T) {
	const key = "eval-key"
	s := startServer(t, t.TempDir(), "--flag-key", key)
	dir := specDir(t)
	servicesFile := writeSpec(t, dir, "slipway.yaml", servicesOnly)
	s.mustCLI("apply", "-f", servicesFile, "--wait", "--timeout", "30s")
	before := s.waitConverged(30*time.Second, map[string]int{"web": 1})
	web, _ := find(before, "web")

	flagsFile := writeSpec(t, dir, "flags.yaml", flagsOnlyFile)
	if r := s.mustCLI("validate", "-f", flagsFile); !strings.Contains(r.stdout, "no services: applying it leaves the app's services as they are") {
		t.Errorf("validate of the flags file:\n%s", r)
	}
	r := s.mustCLI("apply", "-f", flagsFile)
	if !strings.Contains(r.stdout, "+ flag bool-flag (new)") || !strings.Contains(r.stdout, "the app's services stay as they are") ||
		strings.Contains(r.stdout, "removed") || strings.Contains(r.stdout, "operation") {
		t.Fatalf("apply of the flags file: want the flags added, no service removed, no operation:\n%s", r)
	}
	evaluates := func() (bool, string) {
		code, body, err := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags/bool-flag", key, []byte(`{"context":{}}`))
		return err == nil && code == http.StatusOK && strings.Contains(body, `"value":true`), body
	}
	waitFor(t, 10*time.Second, "bool-flag served over OFREP", evaluates)
	ofreptest.Run(t, ofreptest.Target{URL: s.url, Key: key, Skip: ofreptest.EngineSkips})

	// The service runs on: same revision, same instances, still ready.
	after := s.waitConverged(10*time.Second, map[string]int{"web": 1})
	if w, _ := find(after, "web"); w.Revision != web.Revision || !maps.Equal(instancePIDs(w), instancePIDs(web)) {
		t.Errorf("web after the flags apply: revision %d, instances %v; want revision %d, instances %v",
			w.Revision, instancePIDs(w), web.Revision, instancePIDs(web))
	}
	// The services' file, applied again, leaves the flags served.
	r = s.mustCLI("apply", "-f", servicesFile)
	if !strings.Contains(r.stdout, "No changes.") || !strings.Contains(r.stdout, "the served flags stay as they are") {
		t.Errorf("apply of the services file:\n%s", r)
	}
	if ok, body := evaluates(); !ok {
		t.Errorf("bool-flag after the services' apply: %s", body)
	}
}
