package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/dashboard"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/internal/ratelimit"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// dashTokens are one token per role.
type dashTokens map[string]httpapi.Principal

func (b dashTokens) Lookup(v string) (httpapi.Principal, bool) { p, ok := b[v]; return p, ok }

var dashRoles = dashTokens{
	"viewer-secret":   {Name: "token:view", Role: httpapi.RoleViewer},
	"deployer-secret": {Name: "token:ci", Role: httpapi.RoleDeployer},
	"admin-secret":    {Name: "token:root", Role: httpapi.RoleAdmin},
}

// dashStack is the API over a memory store with the dashboard in front,
// wired as the server wires them.
type dashStack struct {
	store *store.Memory
	// notify wraps store as the server's does: writes through it wake
	// live views (which poll only hourly here).
	notify *store.Notifier
	clock  *clock.Fake
	dash   *dashboard.Dashboard
	h      http.Handler
}

func newDashStack(tb testing.TB, services int) *dashStack {
	return newDashStackLimited(tb, services, nil)
}

// newDashStackLimited is newDashStack with the API's rate limit, which
// the dashboard shares as the server wires them.
func newDashStackLimited(tb testing.TB, services int, limit *ratelimit.Limiter) *dashStack {
	tb.Helper()
	s := &dashStack{store: store.NewMemory(), clock: clock.NewFake(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))}
	s.notify = store.NewNotifier(s.store)
	handler := httpapi.New(httpapi.Config{Store: s.notify, Clock: s.clock, Tokens: dashRoles, Limit: limit,
		Enqueue: func(queue.Key) {}, Changes: s.notify.Changed})
	s.dash = dashboard.New(dashboard.Config{API: handler, AsUser: dashboardAsUser, InProcess: httpapi.InProcess,
		Allow: limit.Allow, Clock: s.clock, Changes: func(string) <-chan struct{} { return s.notify.Changed() }, Poll: time.Hour})
	s.h = s.dash
	if err := s.store.Update(context.Background(), func(tx store.Tx) error { return seedServices(tx, services, s.clock.Now()) }); err != nil {
		tb.Fatal(err)
	}
	return s
}

// seedServices stores n services, each at revision 1 with three ready
// instances and an event; the first is a canary paused at step 2 of 3.
func seedServices(tx store.Tx, n int, now time.Time) error {
	w := 20
	for i := range n {
		name := fmt.Sprintf("svc%03d", i)
		three := 3
		sp := spec.Service{Name: name, Run: []string{"./run"}, Instances: &three}
		if i == 0 {
			sp.Strategy.Canary = &spec.Canary{Steps: []spec.Step{{SetWeight: &w}, {Pause: &spec.Pause{}}, {SetWeight: &w}}}
		}
		for range 2 {
			if _, err := tx.CreateRevision(store.Revision{Service: name, Spec: sp, State: store.RevisionStable, CreatedAt: now}); err != nil {
				return err
			}
		}
		svc := store.Service{Name: name, Revision: 2, Stable: 2, Phase: store.PhaseReady}
		if i == 0 {
			svc.Stable, svc.Phase = 1, store.PhaseProgressing
			svc.Canary = &store.Canary{Revision: 2, Stable: 1, Step: 1, Weight: 20, Paused: true, PauseReason: "waiting for a promote", StepStarted: now}
		}
		if err := tx.PutService(svc); err != nil {
			return err
		}
		for j := range 3 {
			in := store.Instance{ID: fmt.Sprintf("%s-%d", name, j), Service: name, Revision: 2, Port: 9000 + j, State: store.InstanceRunning, Ready: true}
			if err := tx.PutInstance(in); err != nil {
				return err
			}
		}
		if _, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventRolloutSucceeded, Service: name, Revision: 2, Message: name + " converged"}); err != nil {
			return err
		}
	}
	return nil
}

// browser is an HTTP client with a cookie jar against a test server.
type browser struct {
	srv *httptest.Server
	c   *http.Client
}

func (s *dashStack) browser(t *testing.T) *browser {
	srv := httptest.NewServer(s.h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &browser{srv: srv, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(t *testing.T, method, path, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

// loginToken logs b in with a token through the login form.
func (b *browser) loginToken(t *testing.T, token string) *http.Response {
	t.Helper()
	resp, _ := b.do(t, "POST", "/login", url.Values{"token": {token}}.Encode(),
		"Content-Type", "application/x-www-form-urlencoded", "Origin", b.srv.URL)
	return resp
}

func (b *browser) same() []string {
	return []string{"Content-Type", "application/json", "Origin", b.srv.URL, "Sec-Fetch-Site", "same-origin"}
}

// TestDashboardLogin checks both ways in: a one-time link works once and
// not after it expires; a token logs in through the form; the cookie is
// HttpOnly and SameSite=Strict; no session, no page.
func TestDashboardLogin(t *testing.T) {
	s := newDashStack(t, 2)
	b := s.browser(t)
	if resp, _ := b.do(t, "GET", "/", ""); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("GET / without a session: %d to %q; want a redirect to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
	link, _ := s.dash.Grant(dashboard.User{Name: "uid:1000 (alice)", Role: "admin"})
	resp, _ := b.do(t, "GET", link, "")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("one-time link: %d; want 303", resp.StatusCode)
	}
	c := resp.Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, not Secure without TLS", c)
	}
	if resp, body := b.do(t, "GET", "/", ""); resp.StatusCode != 200 || !strings.Contains(body, "uid:1000 (alice)") {
		t.Errorf("home after the link: %d; want 200 naming the user", resp.StatusCode)
	}
	other := s.browser(t)
	if resp, body := other.do(t, "GET", link, ""); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "used already") {
		t.Errorf("the same link again: %d; want 401 saying it was used", resp.StatusCode)
	}
	late, _ := s.dash.Grant(dashboard.User{Name: "uid:1000 (alice)", Role: "admin"})
	s.clock.Advance(3 * time.Minute)
	if resp, _ := other.do(t, "GET", late, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("an expired link: %d; want 401", resp.StatusCode)
	}
	if resp := other.loginToken(t, "wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d; want 401", resp.StatusCode)
	}
	if resp := other.loginToken(t, "viewer-secret"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a viewer token: %d; want 303", resp.StatusCode)
	}
	if resp, body := other.do(t, "GET", "/", ""); resp.StatusCode != 200 || !strings.Contains(body, "token:view") {
		t.Errorf("home after the token: %d; want 200 naming token:view", resp.StatusCode)
	}
	s.clock.Advance(13 * time.Hour)
	if resp, _ := other.do(t, "GET", "/", ""); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the session's TTL: %d; want a redirect to log in", resp.StatusCode)
	}
}

// TestDashboardActionsCSRFAndRoles: the browser's actions go to the API
// with the session; a forged cross-site POST is refused whatever its
// shape, a viewer's action is refused, a deployer's goes through, and a
// stale page's promote is a conflict that says what moved.
func TestDashboardActionsCSRFAndRoles(t *testing.T) {
	s := newDashStack(t, 2)
	viewer, deployer := s.browser(t), s.browser(t)
	viewer.loginToken(t, "viewer-secret")
	deployer.loginToken(t, "deployer-secret")
	const verb = "/v1/services/svc000/rollout/promote"
	forged := [][]string{
		{"Content-Type", "application/json", "Origin", "http://evil.example"},
		{"Content-Type", "application/json", "Origin", deployer.srv.URL, "Sec-Fetch-Site", "cross-site"},
		{"Content-Type", "application/json"},                                                        // no Origin at all
		{"Content-Type", "text/plain", "Origin", deployer.srv.URL, "Sec-Fetch-Site", "same-origin"}, // a form's shape
	}
	for _, h := range forged {
		if resp, body := deployer.do(t, "POST", verb, `{}`, h...); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("forged POST with %v: %d %s; want it refused", h, resp.StatusCode, body)
		}
	}
	if resp, body := viewer.do(t, "POST", verb, `{"ifRevision":2,"ifStep":1}`, viewer.same()...); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "viewer") {
		t.Errorf("viewer promote: %d %s; want 403 naming the role", resp.StatusCode, body)
	}
	if resp, body := deployer.do(t, "POST", verb, `{"ifRevision":2,"ifStep":0}`, deployer.same()...); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "moved") {
		t.Errorf("stale promote: %d %s; want 409 saying the rollout moved", resp.StatusCode, body)
	}
	if resp, body := deployer.do(t, "POST", verb, `{"ifRevision":2,"ifStep":1}`, deployer.same()...); resp.StatusCode != http.StatusOK {
		t.Errorf("deployer promote: %d %s; want 200", resp.StatusCode, body)
	}
	var by string
	_ = s.store.View(context.Background(), func(tx store.Tx) error {
		evs, _ := tx.ListEvents(0, "svc000", 0)
		for _, e := range evs {
			if e.By != "" {
				by = e.By
			}
		}
		return nil
	})
	if by != "token:ci" {
		t.Errorf("the promote's event records %q; want token:ci", by)
	}
}

// TestDashboardPages renders every page, and 404 pages for unknown
// services and revisions.
func TestDashboardPages(t *testing.T) {
	s := newDashStack(t, 3)
	b := s.browser(t)
	b.loginToken(t, "deployer-secret")
	cases := []struct {
		path string
		want int
		text string
	}{
		{"/", 200, "canary r2 paused at step 2 of 3"},
		{"/services/svc000", 200, "pause until promoted <strong>(current)"},
		{"/services/svc001/revisions", 200, "What changed from r1 to r2"},
		{"/services/svc001/revisions?a=1&b=2", 200, "r2"},
		{"/timeline", 200, "Timeline"},
		{"/flags", 200, "Flags"},
		{"/dora", 200, "Deployment frequency"},
		{"/services/nope", 404, "does not exist"},
		{"/services/svc001/revisions?a=9", 404, "no revision 9 (it has 1..2)"},
		{"/services/svc001/revisions?a=1&b=99", 404, "svc001 has no revision 99 (it has 1..2)"},
		{"/services/svc001/revisions?a=one", 404, "svc001 has no revision one"},
		{"/no/such/page", 404, "no page"},
		{"/v1/openapi.json", 200, "3.1.0"},
	}
	for _, c := range cases {
		resp, body := b.do(t, "GET", c.path, "")
		if resp.StatusCode != c.want || !strings.Contains(body, c.text) {
			t.Errorf("GET %s: %d, want %d containing %q; got:\n%.400s", c.path, resp.StatusCode, c.want, c.text, body)
		}
		if c.path != "/v1/openapi.json" && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Errorf("GET %s: no Content-Security-Policy", c.path)
		}
	}
}

// BenchmarkDashboardHome renders the home page of 200 services through
// the API, as a browser asks for it (go test ./server -bench Dashboard).
func BenchmarkDashboardHome(b *testing.B) {
	s := newDashStack(b, 200)
	link, _ := s.dash.Grant(dashboard.User{Name: "bench", Role: "admin"})
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, httptest.NewRequest("GET", link, nil))
	cookie := rec.Result().Cookies()[0]
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		s.h.ServeHTTP(rec, req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "svc199") {
			b.Fatalf("home: %d", rec.Code)
		}
	}
}

// TestDashboardParallelRun renders a parallel run: the gate, the fields
// that differ (signal) apart from those stable differs on by itself
// (noise), and a sample diff.
func TestDashboardParallelRun(t *testing.T) {
	s := newDashStack(t, 2)
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		svc, err := tx.GetService("svc001")
		if err != nil {
			return err
		}
		svc.ParallelRun = &store.ParallelRun{Revision: 2, Stable: 1, Started: s.clock.Now(),
			Verdict: mirror.Verdict{Outcome: mirror.Failed, Reason: "mismatch rate 40% above 1%"},
			Report: &mirror.Report{Compared: 10, Mismatched: 4, MismatchRate: 0.4, Routes: []mirror.RouteReport{{Route: "/price", Compared: 10, Mismatched: 4, MismatchRate: 0.4, NoiseSamples: 10,
				Fields: []mirror.FieldReport{
					{Field: "body.total", Differences: 4, Rate: 0.4, Mismatch: true, Samples: []mirror.Sample{{Method: "GET", Path: "/price?id=7", Field: "body.total", Primary: "12.50", Candidate: "12.05"}}},
					{Field: "header.Date", Differences: 10, Rate: 1, Noise: 10, NoiseRate: 1},
				}}}}}
		return tx.PutService(svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	b.loginToken(t, "viewer-secret")
	resp, body := b.do(t, "GET", "/services/svc001", "")
	for _, want := range []string{"Parallel run", "Mismatch rate 40%", "body.total", "12.50", "12.05", "header.Date", "Fields that differ as much within stable (noise)"} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("parallel run page: %d, missing %q", resp.StatusCode, want)
		}
	}
	noise := body[strings.Index(body, "(noise)"):]
	if strings.Contains(noise, "body.total") {
		t.Errorf("body.total, a mismatch, listed as noise")
	}
}

const dashFlagSpec = `app: shop
flags:
  new-checkout:
    class: release
    type: boolean
    owner: team-pay
    default: off
    rollout: {on: 25, off: 75}
`

// TestDashboardFlags lists a flag with its class, owner, state and
// split; its Kill goes through the API, which only an admin may use.
func TestDashboardFlags(t *testing.T) {
	s := newDashStack(t, 0)
	admin, deployer := s.browser(t), s.browser(t)
	admin.loginToken(t, "admin-secret")
	deployer.loginToken(t, "deployer-secret")
	body, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: dashFlagSpec})
	if resp, out := admin.do(t, "POST", "/v1/apply", string(body), admin.same()...); resp.StatusCode >= 300 {
		t.Fatalf("apply flags: %d %s", resp.StatusCode, out)
	}
	resp, page := admin.do(t, "GET", "/flags", "")
	for _, want := range []string{"new-checkout", "release", "team-pay", "enabled", "on 25%", `data-url="/v1/flags/new-checkout/kill"`} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("flags page: %d, missing %q", resp.StatusCode, want)
		}
	}
	kill := `{"reason":"killed from the dashboard"}`
	if resp, out := deployer.do(t, "POST", "/v1/flags/new-checkout/kill", kill, deployer.same()...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("deployer kills a flag: %d %s; want 403 (flags need an admin)", resp.StatusCode, out)
	}
	if resp, out := admin.do(t, "POST", "/v1/flags/new-checkout/kill", kill, admin.same()...); resp.StatusCode != 200 {
		t.Errorf("admin kills a flag: %d %s", resp.StatusCode, out)
	}
	if _, page := admin.do(t, "GET", "/flags", ""); !strings.Contains(page, "killed") {
		t.Errorf("after the kill the flags page does not say killed")
	}
}

// TestDashboardLiveStreamCatchesUp reads the live view's event stream,
// drops it, changes the rollout meanwhile, and reconnects as an
// EventSource would (Last-Event-ID): the first event is the rollout as
// it stands now (no replay needed: each event is the whole fragment). Without a session the stream is refused.
func TestDashboardLiveStreamCatchesUp(t *testing.T) {
	s := newDashStack(t, 1)
	b := s.browser(t)
	b.loginToken(t, "deployer-secret")
	first := readFirstFragment(t, b, "")
	if !strings.Contains(first, "pause until promoted <strong>(current)") {
		t.Fatalf("first fragment does not show step 2 current:\n%.600s", first)
	}
	err := s.store.Update(context.Background(), func(tx store.Tx) error { // the controller's next step
		svc, err := tx.GetService("svc000")
		if err != nil {
			return err
		}
		svc.Canary.Step, svc.Canary.Paused = 2, false
		return tx.PutService(svc)
	})
	if err != nil {
		t.Fatal(err)
	}
	again := readFirstFragment(t, b, "1")
	if !strings.Contains(again, "set weight 20% <strong>(current)") {
		t.Errorf("after reconnecting, the first fragment does not show step 3 current:\n%.600s", again)
	}
	anon, _ := http.Get(b.srv.URL + "/services/svc000/live")
	if anon.StatusCode != http.StatusUnauthorized {
		t.Errorf("live stream without a session: %d, want 401", anon.StatusCode)
	}
	anon.Body.Close()
}

// readFirstFragment opens the live stream and returns its first event's
// data, then closes the stream.
func readFirstFragment(t *testing.T, b *browser, lastID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.srv.URL+"/services/svc000/live", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("live: %d %s", resp.StatusCode, ct)
	}
	var data []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inEvent := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "event: fragment":
			inEvent = true
		case inEvent && strings.HasPrefix(line, "data: "):
			data = append(data, strings.TrimPrefix(line, "data: "))
		case inEvent && line == "":
			return strings.Join(data, "\n")
		}
	}
	t.Fatalf("the stream ended before a fragment: %v", sc.Err())
	return ""
}

// TestDashboardRateLimit: a page counts once against its user's rate
// limit, however many API reads it makes; past the limit, 429 with
// Retry-After.
func TestDashboardRateLimit(t *testing.T) {
	s := newDashStackLimited(t, 3, ratelimit.New(0.001, 3, time.Now))
	b := s.browser(t)
	b.loginToken(t, "viewer-secret")
	for i := range 3 {
		if resp, body := b.do(t, "GET", "/", ""); resp.StatusCode != 200 {
			t.Fatalf("page %d: %d %.300s; want 200 (a page is one request)", i+1, resp.StatusCode, body)
		}
	}
	resp, _ := b.do(t, "GET", "/", "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("page past the limit: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
