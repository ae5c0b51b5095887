package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// routerSpec is goodSpec with environment dev's router at addr
// (line 8).
func routerSpec(addr string) string {
	return goodSpec + "environments:\n  dev:\n    router: \"" + addr + "\"\n"
}

// TestPublicRouterNeedsPermission: a spec may put an environment's router
// on a non-loopback address only with the server's permission
// (--allow-public-router, or the address in --allow-router); otherwise
// the apply is refused at the router's line, naming the flags, and
// nothing is stored.
func TestPublicRouterNeedsPermission(t *testing.T) {
	cases := []struct {
		name   string
		policy RouterPolicy
		addr   string
		ok     bool
	}{
		{"loopback", RouterPolicy{}, "127.0.0.1:7481", true},
		{"localhost", RouterPolicy{}, "localhost:7481", true},
		{"ipv6 loopback", RouterPolicy{}, "[::1]:7481", true},
		{"all interfaces", RouterPolicy{}, "0.0.0.0:7481", false},
		{"all interfaces, no host", RouterPolicy{}, ":7481", false},
		{"ipv6 all", RouterPolicy{}, "[::]:7481", false},
		{"a public address", RouterPolicy{}, "192.0.2.10:7481", false},
		{"allowed by the flag", RouterPolicy{AllowPublic: true}, "0.0.0.0:7481", true},
		{"allowed by address", RouterPolicy{Allowed: []string{"192.0.2.10:7481"}}, "192.0.2.10:7481", true},
		{"allowed by host", RouterPolicy{Allowed: []string{"192.0.2.10"}}, "192.0.2.10:7481", true},
		{"another address", RouterPolicy{Allowed: []string{"192.0.2.10:7481"}}, "0.0.0.0:7481", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newTestAPIWith(t, func(cfg *Config) { cfg.Routers = c.policy })
			resp, body := a.do(t, "POST", "/v1/plan?env=dev", "", api.ApplyRequest{File: "slipway.yaml", Spec: routerSpec(c.addr)})
			if c.ok {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("plan: %d %s; want 200", resp.StatusCode, body)
				}
				return
			}
			resp, body = a.do(t, "POST", "/v1/apply?env=dev", "", api.ApplyRequest{File: "slipway.yaml", Spec: routerSpec(c.addr)})
			for _, w := range []string{`"line": 8`, `"path": "environments.dev.router"`, "--allow-public-router", "--allow-router"} {
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), w) {
					t.Errorf("apply: %d %s; want 422 saying %q", resp.StatusCode, body, w)
				}
			}
			a.nothingStored(t)
		})
	}
}
