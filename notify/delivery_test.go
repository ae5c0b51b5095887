package notify

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

const webhookSpec = `app: shop
services:
  web: {run: [./web]}
notifications:
  audit:
    webhook: {url: '${secret.hook-url}', secret: hook-key}
`

// wantIDs are the IDs of events from to to of log, in order.
func wantIDs(log string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s-%d", log, i))
	}
	return out
}

// TestWebhookDeliversInOrderSigned: every matching event reaches the
// receiver once, in log order, signed with the key the secret holds;
// events the destination does not take are skipped; the cursor counts.
func TestWebhookDeliversInOrderSigned(t *testing.T) {
	w := newWorld(t)
	key := "whsec-0123456789"
	r := newReceiver(t, []byte(key))
	w.events(3, store.EventCanaryRolledBack, "web") // before the apply: not sent
	w.apply(webhookSpec, map[string]string{"hook-url": r.srv.URL + "/hook/T0KEN", "hook-key": key})
	for range 20 {
		w.events(1, store.EventCanaryRolledBack, "web")
		w.events(1, store.EventInstanceReady, "web") // not a default event
	}
	run(t, w.config("default"))
	got := r.await(20)
	first := decodePayload(t, r.bodies[got[0]])
	if first.Type != string(store.EventCanaryRolledBack) || first.Env != "default" || first.Service != "web" {
		t.Errorf("first payload %+v", first)
	}
	if !slices.IsSortedFunc(got, func(a, b string) int { return seqOf(a) - seqOf(b) }) || len(slices.Compact(slices.Clone(got))) != 20 {
		t.Errorf("received %v: want 20 distinct, in log order", got)
	}
	w.caughtUp(w.log("default"), Log{})
	if n := len(r.received()); n != 20 {
		t.Errorf("received %d, want 20", n)
	}
	st, err := ReadStatus(t.Context(), w.log("default"), Log{}, w.box)
	if err != nil || len(st) != 1 || st[0].Delivered != 20 || st[0].Failures != 0 || st[0].Lag != 0 || st[0].Target != "${secret.hook-url}" {
		t.Errorf("status %+v, %v", st, err)
	}
}

func seqOf(id string) int {
	var n int
	fmt.Sscanf(id[strings.LastIndexByte(id, '-')+1:], "%d", &n)
	return n
}

// TestReceiverDownThenUpGetsEverythingOnce: while the receiver answers
// 503 the lane retries with backoff, doubling to its cap, and the status
// says why after each failure, naming no secret; once it is up it gets
// every event once, in order. The test steps the backoffs: it sleeps
// through none.
func TestReceiverDownThenUpGetsEverythingOnce(t *testing.T) {
	w := newWorld(t)
	key := "whsec-down"
	r := newReceiver(t, []byte(key))
	r.setDown(true)
	w.apply(webhookSpec, map[string]string{"hook-url": r.srv.URL + "/hook/T0KEN", "hook-key": key})
	cfg := w.config("default")
	cfg.Jitter = func() float64 { return 0 }
	d, b := newBackoffs(cfg)
	start(t, d)
	w.events(10, store.EventRolloutFailed, "web")
	const failures = 5
	var last time.Duration
	for i := 1; i <= failures; i++ {
		if last = b.next(t); last != cfg.Backoff.Delay(i, 0) {
			t.Errorf("backoff after failure %d: %v, want %v", i, last, cfg.Backoff.Delay(i, 0))
		}
		st, err := ReadStatus(t.Context(), w.log("default"), Log{}, w.box)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 1 || st[0].Failures != i || st[0].LastError != "event default-3: POST answered 503 Service Unavailable" || st[0].Delivered != 0 || st[0].Lag != 10 {
			t.Fatalf("status while down, after failure %d: %+v", i, st)
		}
		for _, s := range []string{"T0KEN", key} {
			if strings.Contains(fmt.Sprintf("%+v", st), s) {
				t.Errorf("status shows a secret: %+v", st)
			}
		}
		if i < failures {
			b.release <- struct{}{}
		}
	}
	if last != cfg.Backoff.Max/2 {
		t.Errorf("backoff after %d failures %v: want it at its cap, %v", failures, last, cfg.Backoff.Max/2)
	}
	if n := r.refusals(); n != failures {
		t.Errorf("the receiver refused %d attempts, want %d: one per backoff", n, failures)
	}
	r.setDown(false)
	b.release <- struct{}{}
	got := r.await(10)
	st := w.caughtUp(w.log("default"), Log{})
	if got = r.received(); !slices.Equal(got, wantIDs("default", 3, 12)) {
		t.Errorf("received %v, want %v", got, wantIDs("default", 3, 12))
	}
	if st[0].Failures != 0 || st[0].Delivered != 10 || st[0].LastSuccess.IsZero() {
		t.Errorf("status after: %+v", st)
	}
}

// TestConnectionRefusedNamesNoPath: a destination nobody listens on
// fails with the transport's error, without the URL's path (a Slack
// webhook's path is its credential).
func TestConnectionRefusedNamesNoPath(t *testing.T) {
	w := newWorld(t)
	r := newReceiver(t, nil)
	dead := r.srv.URL + "/services/T0/B0/XSECRETX"
	r.srv.Close()
	w.apply("app: shop\nservices:\n  web: {run: [./web]}\nnotifications:\n  chat: {slack: {url: '${secret.slack}'}}\n", map[string]string{"slack": dead})
	d, b := newBackoffs(w.config("default"))
	start(t, d)
	w.events(1, store.EventRolloutFailed, "web")
	b.next(t) // the failure is recorded before the backoff
	st, err := ReadStatus(t.Context(), w.log("default"), Log{}, w.box)
	if err != nil || len(st) != 1 || st[0].LastError == "" {
		t.Fatalf("no error recorded: %+v, %v", st, err)
	}
	if !strings.Contains(st[0].LastError, "connection refused") || strings.Contains(st[0].LastError, "XSECRETX") {
		t.Fatalf("error %q", st[0].LastError)
	}
}

// TestRestartResumesFromCursor: a deliverer stopped and started again
// (a server restart) sends what came meanwhile, nothing twice.
func TestRestartResumesFromCursor(t *testing.T) {
	w := newWorld(t)
	key := "whsec-restart"
	r := newReceiver(t, []byte(key))
	w.apply(webhookSpec, map[string]string{"hook-url": r.srv.URL, "hook-key": key})
	stop := run(t, w.config("default"))
	w.events(5, store.EventRolloutFailed, "web")
	r.await(5)
	stop()
	w.events(5, store.EventRolloutFailed, "web")
	run(t, w.config("default"))
	r.await(10)
	w.caughtUp(w.log("default"), Log{})
	if got := r.received(); !slices.Equal(got, wantIDs("default", 3, 12)) {
		t.Errorf("received %v", got)
	}
}

// TestSlackApprovalLinks: an approval request reaches a Slack
// destination with an approver as text with approve and reject links,
// signed for that approver, promotion and gate, the same on every attempt;
// a destination in another environment's filter gets nothing.
func TestSlackApprovalLinks(t *testing.T) {
	w := newWorld(t)
	r := newReceiver(t, nil)
	w.apply(`app: shop
services:
  web: {run: [./web]}
notifications:
  chat:
    slack: {url: '${secret.slack}'}
    events: [promotion.approval.waiting]
    approver: alice
    linkExpiry: 2h
`, map[string]string{"slack": r.srv.URL})
	links, err := NewLinks([]byte(strings.Repeat("s", 32)), "https://slipway.example")
	if err != nil {
		t.Fatal(err)
	}
	cfg := w.config("default")
	cfg.Links = links
	run(t, cfg)
	gate := 1
	data, _ := json.Marshal(store.PromotionData{ID: 7, To: "default", Version: "v2", Gate: &gate})
	w.update(func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Time: time.Now(), Type: store.EventPromotionAwaitingApproval, Service: "web", Data: data,
			Message: "promotion 7 of web version v2 into default waits for approval at gate 1"})
		return err
	})
	got := r.await(1)
	var msg struct{ Text string }
	if err := json.Unmarshal(r.bodies[got[0]], &msg); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<https://slipway\.example/v1/links/approval/([^|]+)\|Approve> · <https://slipway\.example/v1/links/approval/([^|]+)\|Reject>`).FindStringSubmatch(msg.Text)
	if m == nil || !strings.HasPrefix(msg.Text, "[default] web: promotion 7 of web version v2") {
		t.Fatalf("text %q", msg.Text)
	}
	for i, action := range []string{ActionApprove, ActionReject} {
		k, err := links.Check(m[i+1], time.Now())
		if err != nil || k.Promotion != 7 || k.Gate != gate || k.Action != action || k.By != "link:alice" || time.Until(k.Expires) > 2*time.Hour {
			t.Errorf("%s link: %+v, %v", action, k, err)
		}
	}
}

// TestHubLaneTakesPromotionsIntoItsEnvironment: an environment other
// than the default one gets its own events and, from the hub's log, the
// promotions into it only.
func TestHubLaneTakesPromotionsIntoItsEnvironment(t *testing.T) {
	prod, hub := newWorld(t), newWorld(t)
	key := "whsec-hub"
	r := newReceiver(t, []byte(key))
	prod.apply(strings.Replace(webhookSpec, "    webhook:", "    events: ['*']\n    webhook:", 1)+"environments:\n  prod: {}\n", map[string]string{"hook-url": r.srv.URL, "hook-key": key})
	promo := func(id int64, to string) {
		data, _ := json.Marshal(store.PromotionData{ID: id, To: to})
		hub.update(func(tx store.Tx) error {
			_, err := tx.AppendEvent(store.Event{Time: time.Now(), Type: store.EventPromotionRequested, Service: "web", Data: data})
			return err
		})
	}
	cfg := prod.config("prod")
	cfg.Hub = Hub("prod", hub.log("default"))
	run(t, cfg)
	promo(1, "prod")
	promo(2, "staging")
	hub.events(1, store.EventRolloutFailed, "web") // the default environment's own
	prod.events(1, store.EventRolloutFailed, "web")
	promo(3, "prod")
	r.await(3)
	prod.caughtUp(prod.log("prod"), cfg.Hub)
	got := r.received()
	slices.Sort(got)
	if want := []string{"default-1", "default-4", "prod-3"}; !slices.Equal(got, want) {
		t.Errorf("received %v, want %v", got, want)
	}
	if p := decodePayload(t, r.bodies["default-4"]); p.Env != "prod" || p.Type != string(store.EventPromotionRequested) {
		t.Errorf("hub payload %+v", p)
	}
}
