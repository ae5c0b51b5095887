package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// TestWhoamiAndLoginLink: whoami names the caller as the credentials
// say; a login link is made for the caller with the caller's role, and
// a server without a dashboard says so.
func TestWhoamiAndLoginLink(t *testing.T) {
	a := newRoleAPI(t)
	resp, body := a.do(t, "GET", "/v1/whoami", "d", nil)
	var who api.Whoami
	if err := json.Unmarshal(body, &who); resp.StatusCode != 200 || err != nil || who != (api.Whoami{Name: "token:ci", Role: "deployer"}) {
		t.Errorf("whoami as the deployer: %d %s", resp.StatusCode, body)
	}
	if resp, _ := a.do(t, "GET", "/v1/whoami", "", nil); resp.StatusCode != 401 {
		t.Errorf("whoami without a token: %d, want 401", resp.StatusCode)
	}
	if resp, body := a.do(t, "POST", "/v1/dashboard/login", "v", struct{}{}); resp.StatusCode != 404 || !strings.Contains(string(body), "no dashboard") {
		t.Errorf("login link without a dashboard: %d %s", resp.StatusCode, body)
	}

	var asked Principal
	b := newTestAPIWith(t, func(c *Config) {
		c.Tokens = roleTokens
		c.LoginLink = func(p Principal) (api.LoginLink, error) {
			asked = p
			return api.LoginLink{URL: "http://x/login?t=1", Expires: time.Now()}, nil
		}
	})
	if resp, body := b.do(t, "POST", "/v1/dashboard/login", "v", struct{}{}); resp.StatusCode != 200 || asked != roleTokens["v"] {
		t.Errorf("login link as the viewer: %d %s, made for %+v", resp.StatusCode, body, asked)
	}
	if resp, _ := b.do(t, "POST", "/v1/dashboard/login", "e", struct{}{}); resp.StatusCode != 403 {
		t.Errorf("login link as an evaluator: %d, want 403", resp.StatusCode)
	}
}
