package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/ratelimit"
	"github.com/slipway-dev/slipway/store"
)

// tokenBook is a fixed set of tokens, one per role.
type tokenBook map[string]Principal

func (b tokenBook) Lookup(v string) (Principal, bool) { p, ok := b[v]; return p, ok }

var roleTokens = tokenBook{
	"v": {Name: "token:view", Role: RoleViewer},
	"d": {Name: "token:ci", Role: RoleDeployer},
	"a": {Name: "token:root", Role: RoleAdmin},
	"e": {Name: "token:svc", Role: RoleEvaluator},
}

func newRoleAPI(t *testing.T) *testAPI {
	return newTestAPIWith(t, func(c *Config) { c.Tokens = roleTokens })
}

// TestRolesTable checks who may do what, over real HTTP: the table's
// strength in both directions for each role.
func TestRolesTable(t *testing.T) {
	a := newRoleAPI(t)
	apply := api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec}
	cases := []struct {
		method, path, token string
		body                any
		want                int
	}{
		{"GET", "/v1/health", "", nil, 200},
		{"GET", "/v1/services", "", nil, 401},
		{"GET", "/v1/services", "nope", nil, 401},
		{"GET", "/v1/services", "e", nil, 403},
		{"GET", "/v1/services", "v", nil, 200},
		{"POST", "/v1/apply", "v", apply, 403},
		{"POST", "/v1/apply", "e", apply, 403},
		{"POST", "/v1/apply", "d", apply, 201},
		{"POST", "/v1/flags/f/kill", "d", struct{}{}, 403},
		{"POST", "/v1/flags/f/kill", "v", struct{}{}, 403},
		{"POST", "/v1/flags/f/kill", "a", struct{}{}, 404},
		{"POST", "/v1/down", "d", struct{}{}, 403},
		{"GET", "/v1/nowhere", "v", nil, 404},
	}
	for _, c := range cases {
		resp, body := a.do(t, c.method, c.path, c.token, c.body)
		if resp.StatusCode != c.want {
			t.Errorf("%s %s with token %q: %d %s; want %d", c.method, c.path, c.token, resp.StatusCode, body, c.want)
		}
	}
}

// TestForbiddenSaysWhoAndWhy checks that a refusal names the caller, its
// role and the role needed.
func TestForbiddenSaysWhoAndWhy(t *testing.T) {
	a := newRoleAPI(t)
	resp, body := a.do(t, "POST", "/v1/apply", "v", api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec})
	for _, want := range []string{"token:view", "viewer", "deployer"} {
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), want) {
			t.Errorf("viewer apply: %d %s; want 403 naming %q", resp.StatusCode, body, want)
		}
	}
}

// TestEveryRouteIsInTheTable keeps the table complete: a route missing
// from it would need an admin, which is safe but likely a mistake.
func TestEveryRouteIsInTheTable(t *testing.T) {
	for pattern, role := range minRole {
		method, path, _ := strings.Cut(pattern, " ")
		path = strings.NewReplacer("{id}", "1", "{name}", "s", "{verb}", "pause", "{key}", "k", "{digest}", "sha256:00").Replace(path)
		h := New(Config{Store: store.NewMemory()}).(*handler)
		r := httptest.NewRequest(method, path, nil)
		if _, got := h.mux.Handler(r); got != pattern {
			t.Errorf("table row %q (role %s) matches route %q", pattern, role, got)
		}
	}
}

func TestParseRole(t *testing.T) {
	for r := RoleEvaluator; r <= RoleAdmin; r++ {
		if got, err := ParseRole(r.String()); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r.String(), got, err)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("ParseRole(root): want an error")
	}
}

// TestRateLimitPerToken: past its burst a token gets 429 with
// Retry-After, and another token is not held up by it.
func TestRateLimitPerToken(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	a := newTestAPIWith(t, func(c *Config) {
		c.Tokens, c.Clock, c.Limit = roleTokens, clock.NewFake(now), ratelimit.New(1, 2, func() time.Time { return now })
	})
	for i := range 2 {
		if resp, body := a.do(t, "GET", "/v1/services", "v", nil); resp.StatusCode != 200 {
			t.Fatalf("request %d within the burst: %d %s", i+1, resp.StatusCode, body)
		}
	}
	resp, body := a.do(t, "GET", "/v1/services", "v", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(body), "token:view") {
		t.Errorf("past the burst: %d, Retry-After %q, %s; want 429, 1, naming the token", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if resp, body := a.do(t, "GET", "/v1/services", "a", nil); resp.StatusCode != 200 {
		t.Errorf("another token: %d %s; want 200", resp.StatusCode, body)
	}
	if resp, _ := a.do(t, "GET", "/v1/health", "", nil); resp.StatusCode != 200 {
		t.Errorf("health: %d; not limited", resp.StatusCode)
	}
}

// TestEventsRecordWhoFromTheCredentials: the events of a change name the
// token that made it.
func TestEventsRecordWhoFromTheCredentials(t *testing.T) {
	a := newRoleAPI(t)
	if resp, body := a.do(t, "POST", "/v1/apply", "d", api.ApplyRequest{File: "slipway.yaml", Spec: goodSpec}); resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	var got []store.Event
	err := a.store.View(t.Context(), func(tx store.Tx) (err error) { got, err = tx.ListEvents(0, "", 0); return err })
	if err != nil || len(got) == 0 {
		t.Fatalf("events: %v %v", got, err)
	}
	for _, ev := range got {
		if ev.By != "token:ci" {
			t.Errorf("event %s %q by %q, want token:ci", ev.Type, ev.Message, ev.By)
		}
	}
}
