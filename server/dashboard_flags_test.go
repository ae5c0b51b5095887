package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/dashboard"
	"github.com/slipway-dev/slipway/store"
)

const dashReleaseSpec = `app: shop
services:
  order:
    run: [./order]
flags:
  new-checkout:
    class: release
    type: boolean
    owner: team-pay
    default: off
    progressive:
      service: order
      steps: [{percent: 10, bake: 1m}, {percent: 50, bake: 10m}, {percent: 100}]
  old-banner:
    class: operational
    type: boolean
    owner: team-web
    default: on
    staleAfter: 1h
`

// TestDashboardFlagReleaseAndStale: the flags page says where a
// progressive release stands with its bake's countdown (which the
// page's script counts down), and marks a stale flag with its reason,
// in words.
func TestDashboardFlagReleaseAndStale(t *testing.T) {
	s := newDashStack(t, 0)
	admin := s.browser(t)
	admin.loginToken(t, "admin-secret")
	body, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: dashReleaseSpec})
	if resp, out := admin.do(t, "POST", "/v1/apply", string(body), admin.same()...); resp.StatusCode >= 300 {
		t.Fatalf("apply flags: %d %s", resp.StatusCode, out)
	}
	s.clock.Advance(2 * time.Hour)
	started := s.clock.Now().Add(-3*time.Minute - 20*time.Second)
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		if err != nil {
			return err
		}
		c.Releases = map[string]*store.FlagRelease{"new-checkout": {Variant: "on", Service: "order", Step: 1, StepStarted: started, Percent: 50, Started: started}}
		c.Reason = "test: the release at its second step"
		_, err = tx.CreateFlagConfig(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	until := started.Add(10 * time.Minute).UTC().Format(time.RFC3339)
	resp, page := admin.do(t, "GET", "/flags", "")
	for _, want := range []string{
		"step 2 of 3: on at 50%: " + `<span class="countdown" data-until="` + until + `">6m40s</span> left of a 10m0s bake`,
		"releasing", "team-pay",
		"stale: has served variant on to everyone for 2h (staleAfter 1h)", "team-web", "operational",
	} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("flags page (%d) lacks %q", resp.StatusCode, want)
		}
	}

	s.clock.Advance(10 * time.Minute)
	if _, page := admin.do(t, "GET", "/flags", ""); !strings.Contains(page, "step 2 of 3: on at 50%, baked 10m0s: the next step comes once the analysis passes") {
		t.Errorf("a step past its bake: the flags page does not say so")
	}
}

// TestDashboardCookieSecureUnderTLS: served over TLS, the session
// cookie is also Secure (a browser never sends it over plain HTTP).
func TestDashboardCookieSecureUnderTLS(t *testing.T) {
	s := newDashStack(t, 0)
	srv := httptest.NewTLSServer(s.h)
	t.Cleanup(srv.Close)
	link, _ := s.dash.Grant(dashboard.User{Name: "uid:1000 (alice)", Role: "admin"})
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(srv.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cs := resp.Cookies(); resp.StatusCode != http.StatusSeeOther || len(cs) != 1 || !cs[0].Secure || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("one-time link over TLS: %d, cookies %+v; want one Secure, HttpOnly, SameSite=Strict cookie", resp.StatusCode, cs)
	}
}
