package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

func TestSignatureVerifies(t *testing.T) {
	key, body := []byte("k3y"), []byte(`{"id":"default-1"}`)
	now := time.Unix(1_800_000_000, 0)
	h := Sign(key, body, now)
	if !strings.HasPrefix(h, "t=1800000000,v1=") {
		t.Fatalf("header %q", h)
	}
	for _, c := range []struct {
		name   string
		key    []byte
		body   string
		header string
		at     time.Time
		want   string
	}{
		{"as sent", key, string(body), h, now, ""},
		{"received a minute later", key, string(body), h, now.Add(time.Minute), ""},
		{"body changed", key, `{"id":"default-2"}`, h, now, "does not match"},
		{"another key", []byte("other"), string(body), h, now, "does not match"},
		{"replayed an hour later", key, string(body), h, now.Add(time.Hour), "more than 5m0s"},
		{"no signature", key, string(body), "t=1800000000", now, "malformed"},
	} {
		err := Verify(c.key, []byte(c.body), c.header, c.at, DefaultTolerance)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: time.Second, Max: time.Minute}
	for _, c := range []struct {
		failures int
		r        float64
		want     time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{1, 0.999999, 999999500 * time.Nanosecond},
		{2, 0, time.Second},
		{4, 0.5, 6 * time.Second},
		{7, 0, 30 * time.Second},
		{100, 0, 30 * time.Second},
	} {
		if got := b.Delay(c.failures, c.r); got != c.want {
			t.Errorf("Delay(%d, %v) = %v, want %v", c.failures, c.r, got, c.want)
		}
	}
}

func TestLinksCheck(t *testing.T) {
	l, err := NewLinks([]byte(strings.Repeat("k", 32)), "https://slipway.example/")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	k := Link{Promotion: 4, Action: ActionApprove, By: "link:alice", Expires: now.Add(time.Hour).UTC(), Nonce: "prod-9-chat-approve"}
	u := l.URL(k)
	if !strings.HasPrefix(u, "https://slipway.example"+LinkPath) {
		t.Fatalf("URL %q", u)
	}
	tok := strings.TrimPrefix(u, "https://slipway.example"+LinkPath)
	got, err := l.Check(tok, now)
	if err != nil || got != k {
		t.Fatalf("Check = %+v, %v", got, err)
	}
	other, _ := NewLinks([]byte(strings.Repeat("o", 32)), "https://slipway.example")
	forged := k
	forged.Promotion = 5
	for _, c := range []struct {
		name  string
		links *Links
		token string
		at    time.Time
		want  string
	}{
		{"expired", l, tok, now.Add(time.Hour), "expired at"},
		{"another server's", other, tok, now, "not valid"},
		{"payload changed", l, strings.Split(l.Token(forged), ".")[0] + "." + strings.Split(tok, ".")[1], now, "not valid"},
		{"cut", l, tok[:10], now, "not valid"},
	} {
		if _, err := c.links.Check(c.token, c.at); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := NewLinks([]byte(strings.Repeat("k", 32)), "slipway.example"); err == nil {
		t.Error("a public URL without scheme was taken")
	}
}

func TestWants(t *testing.T) {
	promo := func(to string) store.Event {
		d, _ := json.Marshal(store.PromotionData{ID: 1, To: to})
		return store.Event{Type: store.EventPromotionAwaitingApproval, Service: "order", Data: d}
	}
	for _, c := range []struct {
		name string
		n    spec.Notification
		e    store.Event
		log  string
		want bool
	}{
		{"default events take a rollback", spec.Notification{}, store.Event{Type: store.EventCanaryRolledBack}, "prod", true},
		{"default events skip instance noise", spec.Notification{}, store.Event{Type: store.EventInstanceReady}, "prod", false},
		{"pattern", spec.Notification{Events: []string{"instance.*"}}, store.Event{Type: store.EventInstanceReady}, "prod", true},
		{"service filter", spec.Notification{Services: []string{"web"}}, store.Event{Type: store.EventCanaryRolledBack, Service: "order"}, "prod", false},
		{"environment of a promotion is its target", spec.Notification{Environments: []string{"prod"}}, promo("prod"), "default", true},
		{"promotion into another environment", spec.Notification{Environments: []string{"prod"}}, promo("staging"), "default", false},
	} {
		it := item{e: c.e, log: c.log, env: aboutEnv(c.e, c.log)}
		if got := wants(&c.n, it); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}
