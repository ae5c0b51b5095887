package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// TestTokenRoles: tokens made with slipway token create can do what
// their role allows and nothing more; list never shows a value; a
// revoked token is refused.
func TestTokenRoles(t *testing.T) {
	srv := startServer(t, t.TempDir())
	mk := func(name, role string) string {
		r := srv.mustCLI("token", "create", name, "--role", role)
		return strings.TrimSpace(r.stdout)
	}
	viewer, deployer, evaluator := mk("view", "viewer"), mk("ci", "deployer"), mk("svc", "evaluator")
	text, _ := os.ReadFile(writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s")))
	apply, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: string(text)})
	cases := []struct {
		name, method, path, token string
		body                      []byte
		want                      int
	}{
		{"viewer reads", "GET", "/v1/services", viewer, nil, 200},
		{"viewer cannot apply", "POST", "/v1/apply", viewer, apply, 403},
		{"deployer cannot change flags", "POST", "/v1/flags/f/kill", deployer, []byte(`{}`), 403},
		{"deployer cannot make tokens", "POST", "/v1/tokens", deployer, []byte(`{"name":"x","role":"admin"}`), 403},
		{"evaluator cannot read", "GET", "/v1/services", evaluator, nil, 403},
		{"evaluator evaluates", "POST", "/ofrep/v1/evaluate/flags", evaluator, []byte(`{"context":{}}`), 200},
		{"viewer may evaluate too", "POST", "/ofrep/v1/evaluate/flags", viewer, []byte(`{"context":{}}`), 200},
	}
	for _, c := range cases {
		code, body, err := httpDo(c.method, srv.url+c.path, c.token, c.body)
		if err != nil || code != c.want {
			t.Errorf("%s: %s %s: %d %s %v; want %d", c.name, c.method, c.path, code, body, err, c.want)
		}
	}
	list := srv.mustCLI("token", "list").stdout
	for _, v := range []string{viewer, deployer, evaluator} {
		if strings.Contains(list, v) {
			t.Errorf("token list shows a value:\n%s", list)
		}
	}
	if !strings.Contains(list, "ci") || !strings.Contains(list, "deployer") {
		t.Errorf("token list:\n%s", list)
	}
	srv.mustCLI("token", "revoke", "view")
	if code, body, _ := httpDo("GET", srv.url+"/v1/services", viewer, nil); code != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d %s; want 401", code, body)
	}
}
