package httpapi

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

const configSpec = `app: shop
services:
  invoice:
    run: ["./invoice"]
configs:
  invoice-settings:
    service: invoice
    schema: ./invoice.schema.json
    rules: ['config.timeoutMs <= 30000', 'config.retries in [0, 1, 2, 3]']
    validate: ["./check"]
    values: {timeoutMs: 2000, retries: 2, logLevel: info}
`

const invoiceSchema = `{"type": "object", "required": ["timeoutMs"],
 "properties": {"timeoutMs": {"type": "integer", "minimum": 1}, "retries": {"type": "integer"},
                "logLevel": {"enum": ["debug", "info", "warn"]}}}`

// configDir writes the schema and a validate command that refuses
// logLevel debug into a spec folder.
func configDir(t *testing.T) string {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "invoice.schema.json"), []byte(invoiceSchema), 0o644))
	must(os.WriteFile(filepath.Join(dir, "check"), []byte("#!/bin/sh\nif grep -q '\"logLevel\":\"debug\"'; then echo 'no debug in prod' >&2; exit 1; fi\n"), 0o755))
	return dir
}

func (a *testAPI) config(t *testing.T, name string) api.Config {
	t.Helper()
	_, body := a.do(t, "GET", "/v1/configs/"+name, "", nil)
	var c api.Config
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return c
}

// TestConfigVersions: an apply stores version 1; set, push and rollback
// each store a checked version with an event; diff and history read
// them back.
func TestConfigVersions(t *testing.T) {
	a := newTestAPI(t, "")
	dir := configDir(t)
	req := api.ApplyRequest{File: "slipway.yaml", Spec: configSpec, Dir: dir}
	if p := planOf(t, a, "/v1/plan", req); p.Configs == nil || fmt.Sprint(p.Configs.Added) != "[invoice-settings]" {
		t.Fatalf("plan: %+v", p)
	}
	if resp, body := a.do(t, "POST", "/v1/apply", "", req); resp.StatusCode >= 300 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	if c := a.config(t, "invoice-settings"); c.Version != 1 || c.Values["timeoutMs"] != 2000.0 || c.Overridden ||
		c.EnvVar != "SLIPWAY_CONFIG_INVOICE_SETTINGS" || c.Schema != filepath.Join(dir, "invoice.schema.json") {
		t.Fatalf("after apply: %+v", c)
	}
	steps := []struct {
		req  api.ConfigRequest
		want float64 // timeoutMs after
	}{
		{api.ConfigRequest{Set: []string{"timeoutMs=3000", "limits.perUser=5"}, Reason: "slow upstream"}, 3000},
		{api.ConfigRequest{RollbackTo: 1}, 2000},
		{api.ConfigRequest{Push: new("timeoutMs: 4000\nretries: 1\nlogLevel: warn\n"), File: "prod.yaml"}, 4000},
	}
	for i, s := range steps {
		resp, body := a.do(t, "POST", "/v1/configs/invoice-settings/versions", "", s.req)
		var c api.Config
		if err := json.Unmarshal(body, &c); err != nil || resp.StatusCode != 201 || c.Version != i+2 || c.Values["timeoutMs"] != s.want || c.Overridden != (i != 1) {
			t.Fatalf("step %d: %d %s", i, resp.StatusCode, body)
		}
	}
	_, body := a.do(t, "GET", "/v1/configs/invoice-settings/diff?from=1&to=2", "", nil)
	var d api.ConfigDiff
	if err := json.Unmarshal(body, &d); err != nil || len(d.Changes) != 2 || d.Changes[0] != (api.ConfigChange{Path: "limits.perUser", New: "5"}) ||
		d.Changes[1] != (api.ConfigChange{Path: "timeoutMs", Old: "2000", New: "3000"}) {
		t.Fatalf("diff: %s", body)
	}
	_, body = a.do(t, "GET", "/v1/configs/invoice-settings/versions", "", nil)
	var vs []api.ConfigVersion
	if err := json.Unmarshal(body, &vs); err != nil || len(vs) != 4 || vs[1].Source != "rollback" || vs[1].From != 1 ||
		vs[0].Source != "push" || !strings.Contains(vs[3].Reason, "added") {
		t.Fatalf("history: %s", body)
	}
	var types []store.EventType
	a.store.View(t.Context(), func(tx store.Tx) error {
		es, _ := tx.ListEvents(0, "invoice", 0)
		for _, e := range es {
			types = append(types, e.Type)
		}
		return nil
	})
	if strings.Join(eventNames(types), " ") != "config.applied config.set config.rollback config.pushed" {
		t.Errorf("events: %v", types)
	}
	// The same spec again leaves the run-time version; new spec values
	// replace it, and plan says so.
	if p := planOf(t, a, "/v1/plan", req); p.Configs != nil {
		t.Errorf("plan of the same spec: %+v", p.Configs)
	}
	// A file of configs only: the services' apply is still running.
	only := strings.Replace(configSpec, "services:\n  invoice:\n    run: [\"./invoice\"]\n", "", 1)
	req.Spec = strings.Replace(only, "timeoutMs: 2000", "timeoutMs: 2500", 1)
	if p := planOf(t, a, "/v1/apply", req); p.Configs == nil || fmt.Sprint(p.Configs.Changed, p.Configs.Dropped) != "[invoice-settings] [invoice-settings]" {
		t.Errorf("apply of new values: %+v", p.Configs)
	}
	if c := a.config(t, "invoice-settings"); c.Version != 5 || c.Values["timeoutMs"] != 2500.0 || c.Overridden {
		t.Errorf("after the new values: %+v", c)
	}
}

func eventNames(ts []store.EventType) []string {
	var out []string
	for _, t := range ts {
		if strings.HasPrefix(t.String(), "config.") {
			out = append(out, t.String())
		}
	}
	return out
}

// TestConfigBadInput: values that break the schema or a rule, a command
// that refuses or hangs, an invalid schema, an unknown service, a file
// that is neither JSON nor YAML, a rollback to a version that does not
// exist: clear errors, and nothing stored.
func TestConfigBadInput(t *testing.T) {
	a := newTestAPI(t, "")
	dir := configDir(t)
	if resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: configSpec, Dir: dir}); resp.StatusCode >= 300 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	edits := []struct {
		name   string
		req    api.ConfigRequest
		status int
		want   []string
	}{
		{"rule and schema", api.ConfigRequest{Set: []string{"timeoutMs=40000.5", "retries=9"}}, 400,
			[]string{"nothing stored", "timeoutMs: ", "config.timeoutMs <= 30000 is false", "config.retries in [0, 1, 2, 3] is false"}},
		{"schema type", api.ConfigRequest{Set: []string{"timeoutMs=soon"}}, 400, []string{"timeoutMs: ", "integer"}},
		{"command refuses", api.ConfigRequest{Set: []string{"logLevel=debug"}}, 400, []string{"validate: ./check refused the values", "no debug in prod"}},
		{"not JSON nor YAML", api.ConfigRequest{Push: new("{timeoutMs: [}"), File: "bad.json"}, 400, []string{"bad.json: not valid JSON"}},
		{"a list", api.ConfigRequest{Push: new("- 1\n"), File: "list.yaml"}, 400, []string{"list.yaml: must hold an object"}},
		{"no such version", api.ConfigRequest{RollbackTo: 9}, 404, []string{"config invoice-settings has no version 9: its versions are 1 to 1"}},
		{"stale base", api.ConfigRequest{Set: []string{"retries=1"}, Base: 7}, 409, []string{"is at version 1"}},
		{"nothing", api.ConfigRequest{}, 400, []string{"say what to change"}},
		{"same values", api.ConfigRequest{Set: []string{"retries=2"}}, 400, []string{"already has these values"}},
	}
	for _, e := range edits {
		resp, body := a.do(t, "POST", "/v1/configs/invoice-settings/versions", "", e.req)
		for _, w := range e.want {
			if resp.StatusCode != e.status || !strings.Contains(string(body), w) {
				t.Errorf("%s: %d %s, want %d with %q", e.name, resp.StatusCode, body, e.status, w)
			}
		}
	}
	if resp, body := a.do(t, "POST", "/v1/configs/nope/versions", "", api.ConfigRequest{Set: []string{"a=1"}}); resp.StatusCode != 404 ||
		!strings.Contains(string(body), "config nope not found") {
		t.Errorf("unknown config: %d %s", resp.StatusCode, body)
	}
	os.WriteFile(filepath.Join(dir, "bad.schema.json"), []byte(`{"type": "objekt"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "hang"), []byte("#!/bin/sh\nsleep 30\n"), 0o755)
	specs := []struct{ name, spec, want string }{
		{"invalid schema", strings.Replace(configSpec, "invoice.schema.json", "bad.schema.json", 1), "slipway.yaml:11: configs.invoice-settings.schema: invalid JSON Schema"},
		{"missing schema", strings.Replace(configSpec, "invoice.schema.json", "none.json", 1), "slipway.yaml:8: configs.invoice-settings.schema: cannot read the schema"},
		{"values break a rule", strings.Replace(configSpec, "retries: 2", "retries: 7", 1), "slipway.yaml:11: configs.invoice-settings.rules: config.retries in [0, 1, 2, 3] is false"},
		{"values break the schema", strings.Replace(configSpec, "timeoutMs: 2000", "timeoutMs: 0", 1), "slipway.yaml:11: configs.invoice-settings.values.timeoutMs: "},
		{"command hangs", strings.Replace(configSpec, `["./check"]`, "[\"./hang\"]\n    validateTimeout: 300ms", 1), "configs.invoice-settings.validate: ./hang did not finish within 300ms"},
		{"unknown service", "app: shop\nconfigs:\n  s: {service: billing, values: {a: 1}}\n", `slipway.yaml:3: configs.s.service: unknown service "billing"`},
	}
	for _, s := range specs {
		resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: s.spec, Dir: dir})
		if resp.StatusCode != 422 || !strings.Contains(problemText(t, body), s.want) {
			t.Errorf("%s: %d %s, want %s", s.name, resp.StatusCode, body, s.want)
		}
	}
	_, body := a.do(t, "GET", "/v1/configs/invoice-settings/versions", "", nil)
	var vs []api.ConfigVersion
	if err := json.Unmarshal(body, &vs); err != nil || len(vs) != 1 {
		t.Errorf("versions after the refusals: %s", body)
	}
}

// problemText is an error body's problems as file:line: path: message
// lines.
func problemText(t *testing.T, body []byte) string {
	var e api.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	var lines []string
	for _, p := range e.Error.Problems {
		lines = append(lines, fmt.Sprintf("%s:%d: %s: %s", p.File, p.Line, p.Path, p.Message))
	}
	return strings.Join(lines, "\n")
}

// planOf posts req to path (/v1/plan or /v1/apply) and returns the plan.
func planOf(t *testing.T, a *testAPI, path string, req api.ApplyRequest) api.Plan {
	t.Helper()
	resp, body := a.do(t, "POST", path, "", req)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	if path == "/v1/apply" {
		var out api.ApplyResponse
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		return out.Plan
	}
	var p api.Plan
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}
