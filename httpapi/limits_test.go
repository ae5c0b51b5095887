package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// TestInstanceLimits: a spec asking for more instances than a service or
// the server may have is refused at its line, naming the limit and the
// flag that raises it, and nothing is stored; plan refuses it too.
func TestInstanceLimits(t *testing.T) {
	twoServices := goodSpec + "  web:\n    run: [./web]\n    instances: 4\n"
	cases := []struct {
		name   string
		limits Limits
		spec   string
		want   []string
	}{
		{"a million by default", Limits{}, strings.Replace(goodSpec, "instances: 2", "instances: 1000000", 1),
			[]string{`"line": 5`, `"path": "services.order.instances"`, "more than the 100 instances", "--max-instances-per-service"}},
		{"the server's own per-service limit", Limits{MaxInstancesPerService: 1}, goodSpec,
			[]string{`"line": 5`, `"path": "services.order.instances"`, "more than the 1 instances", "--max-instances-per-service"}},
		{"the server's total", Limits{MaxInstances: 5}, twoServices,
			[]string{`"line": 2`, `"path": "services"`, "6 instances", "limit of 5", "--max-instances"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newTestAPIWith(t, func(cfg *Config) { cfg.Limits = c.limits })
			for _, path := range []string{"/v1/plan", "/v1/apply"} {
				resp, body := a.do(t, "POST", path, "", api.ApplyRequest{File: "slipway.yaml", Spec: c.spec})
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("%s: %d %s; want 422", path, resp.StatusCode, body)
				}
				for _, w := range c.want {
					if !strings.Contains(string(body), w) {
						t.Errorf("%s answered %s; want it to say %q", path, body, w)
					}
				}
			}
			a.nothingStored(t)
		})
	}
	a := newTestAPIWith(t, func(cfg *Config) { cfg.Limits = Limits{MaxInstances: 6} })
	if resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: twoServices}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("apply at the limit: %d %s", resp.StatusCode, body)
	}
}
