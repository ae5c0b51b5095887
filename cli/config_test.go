package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
)

const configSpec = `app: shop
services:
  invoice:
    run: ["./invoice"]
configs:
  invoice-settings:
    service: invoice
    rules: ['config.timeoutMs <= 30000']
    values: {timeoutMs: 2000, logLevel: info}
`

// configServer serves the real API over a memory store with configSpec
// applied.
func configServer(t *testing.T) (string, store.Store) {
	t.Helper()
	st := store.NewMemory()
	h := httpapi.New(httpapi.Config{Store: st, Artifacts: artifact.New(t.TempDir()), Clock: clock.NewFake(serverNow),
		Enqueue: func(queue.Key) {}, Changes: func() <-chan struct{} { return make(chan struct{}) }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	body, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: configSpec})
	resp, err := http.Post(srv.URL+"/v1/apply", "application/json", strings.NewReader(string(body)))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("apply: %v %v", resp, err)
	}
	resp.Body.Close()
	return srv.URL, st
}

func TestConfigCommands(t *testing.T) {
	url, _ := configServer(t)
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"config", "set", "invoice-settings", "timeoutMs=3000", "limits.perUser=5", "--reason", "slow upstream"},
			[]string{"config invoice-settings v2 stored: set timeoutMs=3000 limits.perUser=5 (slow upstream)", "  + limits.perUser: 5", "  ~ timeoutMs: 2000 -> 3000"}},
		{[]string{"config", "get", "invoice-settings"}, []string{"invoice-settings v2 (set by loopback", "read by invoice from $SLIPWAY_CONFIG_INVOICE_SETTINGS", `"timeoutMs": 3000`}},
		{[]string{"config", "rollback", "invoice-settings"}, []string{"config invoice-settings v3 stored: rolled back to v1", "  - limits.perUser: 5"}},
		{[]string{"config", "diff", "invoice-settings", "--from", "1", "--to", "2"}, []string{"config invoice-settings v1 -> v2", "  ~ timeoutMs: 2000 -> 3000"}},
		{[]string{"config", "history", "invoice-settings"}, []string{"v3", "rollback", "rolled back to v1", "v1", "apply"}},
		{[]string{"config", "list"}, []string{"invoice-settings  invoice  v3       rollback", "all at once"}},
		{[]string{"config", "status", "invoice-settings"}, []string{"invoice-settings v3: not delivered yet"}},
	}
	for _, s := range steps {
		r := run(t, url, s.args...)
		for _, w := range s.want {
			if r.code != 0 || !strings.Contains(r.stdout, w) {
				t.Errorf("%v: exit %d, stderr %q, stdout:\n%s\nwant %q", s.args, r.code, r.stderr, r.stdout, w)
			}
		}
	}
}

// TestConfigBadCommandLines: each is refused with a clear error, and the
// store holds what it held.
func TestConfigBadCommandLines(t *testing.T) {
	url, st := configServer(t)
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(notJSON, []byte(`{"timeoutMs": }`), 0o644)
	list := filepath.Join(dir, "list.yaml")
	os.WriteFile(list, []byte("- 1\n- 2\n"), 0o644)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"config", "set", "invoice-settings", "timeoutMs=40000"}, 1, "config.timeoutMs <= 30000 is false, must be true"},
		{[]string{"config", "set", "invoice-settings", "timeoutMs"}, 1, `"timeoutMs": want key=value`},
		{[]string{"config", "set", "invoice-settings"}, 2, "requires at least 2 arg(s)"},
		{[]string{"config", "set", "nope", "a=1"}, 1, "config nope not found"},
		{[]string{"config", "push", "invoice-settings", "--file", notJSON}, 1, "bad.json: not valid JSON"},
		{[]string{"config", "push", "invoice-settings", "--file", list}, 1, "list.yaml: must hold an object of values"},
		{[]string{"config", "push", "invoice-settings", "--file", filepath.Join(dir, "missing.json")}, 1, "no such file"},
		{[]string{"config", "rollback", "invoice-settings", "--to", "9"}, 1, "config invoice-settings has no version 9: its versions are 1 to 1"},
		{[]string{"config", "rollback", "invoice-settings"}, 1, "has one version: there is nothing to roll back to"},
		{[]string{"config", "get", "invoice-settings", "--version", "4"}, 1, "has no version 4"},
		{[]string{"config", "stop", "invoice-settings"}, 1, "config invoice-settings has no delivery"},
		{[]string{"config", "diff", "invoice-settings", "--from", "x"}, 2, `invalid argument "x"`},
	}
	for _, c := range cases {
		before := snapshot(t, st)
		r := run(t, url, c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
		if snapshot(t, st) != before {
			t.Errorf("%v: the store changed", c.args)
		}
	}
}

// TestConfigPlan: plan names the configs an apply stores a version of,
// and counts them.
func TestConfigPlan(t *testing.T) {
	url, _ := configServer(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "configs.yaml")
	only := "app: shop\nconfigs:\n  invoice-settings:\n    service: invoice\n    values: {timeoutMs: 2500}\n  new-one:\n    service: invoice\n    values: {a: 1}\n"
	if err := os.WriteFile(file, []byte(only), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, url, "plan", "-f", file)
	for _, w := range []string{"+ config new-one (new, version 1)", "~ config invoice-settings (a new version)",
		"Plan: configs 1 new, 1 with a new version."} {
		if r.code != 0 || !strings.Contains(r.stdout, w) {
			t.Errorf("plan: exit %d, stderr %q, stdout:\n%s\nwant %q", r.code, r.stderr, r.stdout, w)
		}
	}
}
