package e2e

// Feature flags end to end: flags applied with the app spec are served
// over OFREP by the server itself, to the real OpenFeature Go SDK and its
// OFREP provider, with an evaluation key that can do nothing else.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

// flagsApp is an app with one small service and the flags the OFREP
// interop suite expects.
const flagsApp = `app: flagged
services:
  web:
    run: ["./bin/order", "--name", "web", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    health: {readiness: {http: /healthz}}
` + ofreptest.FlagsYAML

func TestOFREPInteropAgainstTheServer(t *testing.T) {
	const key = "eval-key-for-tests"
	s := startServer(t, t.TempDir(), "--flag-key", key)
	dir := specDir(t)
	s.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", flagsApp), "--wait", "--timeout", "30s")
	waitFor(t, 10*time.Second, "the flags served", func() (bool, string) {
		code, body, err := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags/bool-flag", key, []byte(`{"context":{}}`))
		return err == nil && code == http.StatusOK, body
	})
	ofreptest.Run(t, ofreptest.Target{URL: s.url, Key: key, Skip: ofreptest.EngineSkips})

	// The evaluation key evaluates and nothing else; the admin API does
	// not take it.
	if code, _, _ := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags/bool-flag", "wrong", []byte(`{}`)); code != http.StatusUnauthorized {
		t.Errorf("a wrong evaluation key: %d, want 401", code)
	}
	if code, body, _ := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags", key, []byte(`{"context":{"targetingKey":"u1"}}`)); code != http.StatusOK || !strings.Contains(body, `"split"`) {
		t.Errorf("bulk evaluation: %d %s", code, body)
	}
}
