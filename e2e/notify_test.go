package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/notify"
)

// hookReceiver is a webhook receiver in the test process: it verifies
// each delivery's signature with the documented algorithm (notify.Verify)
// and keeps the events in arrival order.
type hookReceiver struct {
	t     *testing.T
	srv   *httptest.Server
	key   []byte
	delay time.Duration
	mu    sync.Mutex // guards ids and bodies
	ids   []string
	// bodies are the payloads by event ID (the last received).
	bodies map[string]notify.Payload
}

func newHookReceiver(t *testing.T, key string, delay time.Duration) *hookReceiver {
	r := &hookReceiver{t: t, key: []byte(key), delay: delay, bodies: map[string]notify.Payload{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := notify.Verify(r.key, body, req.Header.Get(notify.HeaderSignature), time.Now(), notify.DefaultTolerance); err != nil {
			t.Errorf("receiver: %v", err)
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p notify.Payload
		if err := json.Unmarshal(body, &p); err != nil || p.ID != req.Header.Get(notify.HeaderEventID) {
			t.Errorf("receiver: payload %s (%v), header ID %q", body, err, req.Header.Get(notify.HeaderEventID))
		}
		time.Sleep(r.delay) // a slow receiver: the server may die mid-delivery
		r.mu.Lock()
		r.ids = append(r.ids, p.ID)
		r.bodies[p.ID] = p
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

func (r *hookReceiver) payload(id string) (notify.Payload, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.bodies[id]
	return p, ok
}

// setSecret stores a secret through the CLI (from a file, as an
// operator would).
func setSecret(t *testing.T, srv *server, name, value string, args ...string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, []byte(value), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.mustCLI(append([]string{"secret", "set", name, "--from-file", f}, args...)...)
}

const hookNotifications = `notifications:
  audit:
    webhook: {url: '${secret.hook}', secret: hook-key}
    events: ['*']
`

// TestNotificationsSurviveKill9: a server killed with -9 while it
// delivers to a slow receiver, and started again, delivers every event
// at least once and in order, repeating at most the one in flight; the
// status then shows nothing left and no secret.
func TestNotificationsSurviveKill9(t *testing.T) {
	const key = "whsec-e2e-kill"
	r := newHookReceiver(t, key, 30*time.Millisecond)
	data := t.TempDir()
	srv := startServer(t, data)
	setSecret(t, srv, "hook", r.srv.URL+"/in/T0KEN")
	setSecret(t, srv, "hook-key", key)
	file := writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s")+hookNotifications)
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	waitFor(t, 30*time.Second, "some deliveries", func() (bool, string) {
		n := len(r.received())
		return n >= 5, fmt.Sprint(n)
	})
	srv.kill()
	got := len(r.received())
	srv = startServer(t, data)
	srv.mustCLI("restart", "order", "--wait")
	var st []api.NotificationStatus
	waitFor(t, 60*time.Second, "every event delivered", func() (bool, string) {
		decodeCLI(t, srv.mustCLI("notifications", "status", "-o", "json"), &st)
		return len(st) == 1 && st[0].Lag == 0 && st[0].Failures == 0 && int(st[0].Delivered) > got, fmt.Sprintf("%+v", st)
	})
	evs := srv.events()
	ids := r.received()
	first := map[string]int{}
	var order []string
	for i, id := range ids {
		if _, seen := first[id]; !seen {
			first[id] = i
			order = append(order, id)
		}
	}
	if dups := len(ids) - len(order); dups > 1 {
		t.Errorf("%d events delivered twice; at most the one in flight at the kill may be", dups)
	}
	for i := 1; i < len(order); i++ {
		if seqOfID(order[i]) <= seqOfID(order[i-1]) {
			t.Errorf("delivered out of order: %s after %s", order[i], order[i-1])
		}
	}
	start := seqOfID(order[0])
	for _, e := range evs {
		if id := fmt.Sprintf("default-%d", e.Seq); e.Seq >= start {
			if _, ok := first[id]; !ok {
				t.Errorf("event %s (%s) was never delivered", id, e.Type)
			}
		}
	}
	if p, _ := r.payload(order[0]); p.Env != "default" || p.Type == "" {
		t.Errorf("payload %+v", p)
	}
	out := srv.mustCLI("notifications", "status").stdout
	if !strings.Contains(out, "audit") || !strings.Contains(out, "${secret.hook}") || strings.Contains(out, "T0KEN") || strings.Contains(out, key) {
		t.Errorf("notifications status:\n%s", out)
	}
}

func seqOfID(id string) int64 {
	var n int64
	fmt.Sscanf(id[strings.LastIndexByte(id, '-')+1:], "%d", &n)
	return n
}

// approvalSpec is order in one environment, prod, behind an approval
// gate, with a destination for promotions whose links approve as alice.
const approvalSpec = `app: shop
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order}
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {path: /}
    stopGrace: 1s
environments:
  prod:
    gates:
      - approval: {}
secrets:
  hook: {fromFile: ./hook-url}
  hook-key: {fromFile: ./hook-key}
notifications:
  chat:
    webhook: {url: '${secret.hook}', secret: hook-key}
    events: [promotion.*]
    approver: alice
`

// TestApprovalLinkApprovesOnce: a deploy waiting for approval in prod
// reaches the receiver with signed approve and reject links; opening
// the link (GET) changes nothing; a changed link is refused; its POST
// approves as link:alice; the link used again, and the reject link after
// it, are refused.
func TestApprovalLinkApprovesOnce(t *testing.T) {
	const key, public = "whsec-e2e-links", "https://slipway.example"
	r := newHookReceiver(t, key, 0)
	data := t.TempDir()
	dir := specDir(t)
	file := writeSpec(t, dir, "slipway.yaml", approvalSpec)
	writeSpec(t, dir, "hook-url", r.srv.URL)
	writeSpec(t, dir, "hook-key", key)
	p := &pipelineApp{t: t, srv: startServer(t, data, "--public-url", public), dir: dir, file: file}
	t.Cleanup(func() { stopEnvironmentInstances(t, data) })
	t.Cleanup(p.dumpOnFailure)
	p.applyAll("prod") // the CLI reads the secrets: the destination's URL and key
	p.push(p.binaryArtifact("v1"), "v1", pushedCommit{"aaaaaaa1", time.Now().Add(-time.Hour)})
	id := promotionID(t, p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "prod"))
	p.waitWaiting("prod", id, "approval")

	var links *notify.ApprovalLinks
	waitFor(t, 30*time.Second, "the approval request", func() (bool, string) {
		for _, got := range r.received() {
			if pl, _ := r.payload(got); pl.Type == "promotion.approval.waiting" && pl.Links != nil {
				links = pl.Links
				if pl.Env != "prod" {
					t.Errorf("approval request for environment %q", pl.Env)
				}
				return true, ""
			}
		}
		return false, fmt.Sprint(r.received())
	})
	local := func(u string) string { return strings.Replace(u, public, p.srv.url, 1) }
	approve, reject := local(links.Approve), local(links.Reject)

	code, body, err := httpDo("GET", approve, "", nil)
	if err != nil || code != http.StatusOK || !strings.Contains(body, "Approve promotion") || !strings.Contains(body, "link:alice") || !strings.Contains(body, `method="post"`) {
		t.Fatalf("GET the link: %d %v\n%s", code, err, body)
	}
	p.waitWaiting("prod", id, "approval") // a GET (a link preview) approved nothing
	// The page wears the dashboard's stylesheet, served by the same
	// listener without a login.
	if !strings.Contains(body, `href="/static/style.css"`) {
		t.Errorf("the link page does not use the dashboard's stylesheet:\n%s", body)
	}
	if code, css, err := httpDo("GET", p.srv.url+"/static/style.css", "", nil); err != nil || code != http.StatusOK || !strings.Contains(css, "button.primary") {
		t.Errorf("GET the dashboard's stylesheet: %d %v", code, err)
	}

	tampered := regexp.MustCompile(`/approval/[A-Za-z0-9_-]{4}`).ReplaceAllString(approve, "/approval/AAAA")
	if code, body, _ := httpDo("POST", tampered, "", nil); code != http.StatusBadRequest || !strings.Contains(body, "not valid") {
		t.Errorf("POST a changed link: %d\n%s", code, body)
	}
	p.waitWaiting("prod", id, "approval")

	if code, body, _ := httpDo("POST", approve, "", nil); code != http.StatusOK || !strings.Contains(body, "approved by link:alice") {
		t.Fatalf("POST the link: %d\n%s", code, body)
	}
	done := p.waitPromotion("prod", id)
	if done.State != "Succeeded" || len(done.Gates) != 1 || done.Gates[0].ApprovedBy != "link:alice" {
		t.Errorf("promotion after the link: %+v", done)
	}
	for name, u := range map[string]string{"the approve link again": approve, "the reject link after": reject} {
		if code, body, _ := httpDo("POST", u, "", nil); code != http.StatusConflict || !strings.Contains(body, "Nothing was changed") {
			t.Errorf("POST %s: %d\n%s", name, code, body)
		}
	}
}
