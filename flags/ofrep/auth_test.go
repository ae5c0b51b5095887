package ofrep_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

func TestKeys(t *testing.T) {
	known := ofrep.StaticKeys("k-good", "k-other")
	checker := func(key string) error {
		switch key {
		case "k-readonly-elsewhere":
			return fmt.Errorf("key of environment staging: %w", ofrep.ErrForbidden)
		case "k-store-down":
			return errors.New("store unavailable")
		}
		return known(key)
	}
	tests := []struct {
		name      string
		anonymous bool
		check     ofrep.KeyChecker
		headers   []string
		status    int
	}{
		{"bearer", false, checker, []string{"Authorization: Bearer k-good"}, 200},
		{"bearer, any case", false, checker, []string{"Authorization: bearer k-other"}, 200},
		{"X-API-Key", false, checker, []string{"X-API-Key: k-good"}, 200},
		{"no key", false, checker, nil, 401},
		{"unknown key", false, checker, []string{"Authorization: Bearer k-bad"}, 401},
		{"unknown X-API-Key", false, checker, []string{"X-API-Key: k-bad"}, 401},
		{"not bearer", false, checker, []string{"Authorization: Basic azpn"}, 401},
		{"empty bearer", false, checker, []string{"Authorization: Bearer "}, 401},
		{"Authorization wins over X-API-Key", false, checker, []string{"Authorization: Bearer k-bad", "X-API-Key: k-good"}, 401},
		{"refused key", false, checker, []string{"X-API-Key: k-readonly-elsewhere"}, 403},
		{"checker fails", false, checker, []string{"X-API-Key: k-store-down"}, 500},
		{"anonymous allowed", true, checker, nil, 200},
		{"anonymous allowed, bad key still refused", true, checker, []string{"X-API-Key: k-bad"}, 401},
		{"no keys exist, anonymous allowed: any key", true, nil, []string{"X-API-Key: whatever"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := start(t, ofreptest.Fixture(), func(c *ofrep.Config) {
				c.AllowAnonymous, c.CheckKey = tc.anonymous, tc.check
			})
			for _, path := range []string{"/ofrep/v1/evaluate/flags/bool-flag", "/ofrep/v1/evaluate/flags"} {
				a := do(t, "POST", srv.URL+path, `{}`, tc.headers...)
				if a.status != tc.status {
					t.Errorf("%s: status = %d, want %d (%s)", path, a.status, tc.status, a.raw)
				}
				if wantChallenge := tc.status == 401; (a.header.Get("WWW-Authenticate") != "") != wantChallenge {
					t.Errorf("%s: WWW-Authenticate = %q", path, a.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func TestKeysOnlyEvaluate(t *testing.T) {
	srv, _ := start(t, ofreptest.Fixture(), func(c *ofrep.Config) {
		c.AllowAnonymous, c.CheckKey = false, ofrep.StaticKeys("k")
	})
	for _, path := range []string{"/v1/apps", "/v1/flags/bool-flag", "/ofrep/v1/admin"} {
		for _, method := range []string{"GET", "POST", "PUT", "DELETE"} {
			if a := do(t, method, srv.URL+path, `{}`, "Authorization: Bearer k"); a.status != 404 {
				t.Errorf("%s %s with an evaluation key: %d, want 404", method, path, a.status)
			}
		}
	}
	if a := do(t, "GET", srv.URL+"/ofrep/v1/events", "", "Authorization: Bearer nope"); a.status != 401 {
		t.Errorf("event stream with a bad key: %d, want 401", a.status)
	}
}

func TestNewRefusesConfigs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*ofrep.Config)
		want string
	}{
		{"no evaluator", func(c *ofrep.Config) { c.Evaluator = nil }, "no evaluator"},
		{"nobody could evaluate", func(c *ofrep.Config) { c.AllowAnonymous, c.CheckKey = false, nil }, "every request would be refused"},
		{"zero limits", func(c *ofrep.Config) { c.MaxBody = 0 }, "limits must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ofrep.Default()
			cfg.Evaluator, cfg.AllowAnonymous = ofreptest.Fixture(), true
			tc.edit(&cfg)
			if _, err := ofrep.New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
