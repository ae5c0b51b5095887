package spec

import (
	"strings"
	"testing"
)

const notifyBase = web + "notifications:\n"

// TestNotificationsParse reads both kinds of destination with their
// filters, and the event types a server knows are checked only when
// given.
func TestNotificationsParse(t *testing.T) {
	src := notifyBase + "  chat:\n    slack: {url: '${secret.slack}'}\n    events: [promotion.*]\n    approver: alice\n" +
		"  audit:\n    webhook: {url: 'https://hooks.example/in', secret: hook-key}\n    services: [web]\n    linkExpiry: 2h\n"
	a, err := Parse("slipway.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	chat, audit := a.Notifications["chat"], a.Notifications["audit"]
	if chat.Kind() != "slack" || chat.Expiry() != DefaultLinkExpiry || chat.Approver != "alice" {
		t.Errorf("chat = %+v", chat)
	}
	if name, ok := SecretURL(chat.URL()); !ok || name != "slack" {
		t.Errorf("SecretURL(%q) = %q, %v", chat.URL(), name, ok)
	}
	if audit.Kind() != "webhook" || audit.Webhook.Secret != "hook-key" || audit.Expiry().String() != "2h0m0s" {
		t.Errorf("audit = %+v", audit)
	}
	known := []string{"promotion.approved", "service.canary.rolled_back"}
	if _, err := ParseWith("slipway.yaml", []byte(src), Options{EventTypes: known}); err != nil {
		t.Errorf("a pattern matching a known type: %v", err)
	}
	bad := notifyBase + "  chat:\n    slack: {url: 'https://a.example'}\n    events: [promotion.aproved]\n"
	_, err = ParseWith("slipway.yaml", []byte(bad), Options{EventTypes: known})
	if err == nil || !strings.Contains(err.Error(), `slipway.yaml:8: notifications.chat.events[0]: unknown event type "promotion.aproved" (did you mean "promotion.approved"?)`) {
		t.Errorf("unknown event type: %v", err)
	}
}

func TestMatchEvent(t *testing.T) {
	for _, c := range []struct {
		pattern, typ string
		want         bool
	}{
		{"*", "instance.crashloop", true},
		{"promotion.*", "promotion.approval.waiting", true},
		{"promotion.*", "service.promoted", false},
		{"service.canary.rolled_back", "service.canary.rolled_back", true},
		{"service.canary.rolled_back", "service.canary.promoted", false},
		{"[", "x", false},
	} {
		if got := MatchEvent(c.pattern, c.typ); got != c.want {
			t.Errorf("MatchEvent(%q, %q) = %v", c.pattern, c.typ, got)
		}
	}
}
