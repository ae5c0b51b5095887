package e2e

// Feature flags end to end: flags applied with the app spec are served
// over OFREP by the server itself, to the real OpenFeature Go SDK and its
// OFREP provider, with an evaluation key that can do nothing else.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/feed"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

// flagsApp is an app with one small service and the flags the OFREP
// interop suite expects.
const flagsApp = `app: flagged
services:
  web:
    run: ["./bin/order", "--name", "web", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    health: {readiness: {http: /healthz}}
` + ofreptest.FlagsYAML

func TestOFREPInteropAgainstTheServer(t *testing.T) {
	const key = "eval-key-for-tests"
	s := startServer(t, t.TempDir(), "--flag-key", key)
	dir := specDir(t)
	s.mustCLI("apply", "-f", writeSpec(t, dir, "slipway.yaml", flagsApp), "--wait", "--timeout", "30s")
	waitFor(t, 10*time.Second, "the flags served", func() (bool, string) {
		code, body, err := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags/bool-flag", key, []byte(`{"context":{}}`))
		return err == nil && code == http.StatusOK, body
	})
	ofreptest.Run(t, ofreptest.Target{URL: s.url, Key: key, Skip: ofreptest.EngineSkips})

	// The evaluation key evaluates and nothing else; the admin API does
	// not take it.
	if code, _, _ := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags/bool-flag", "wrong", []byte(`{}`)); code != http.StatusUnauthorized {
		t.Errorf("a wrong evaluation key: %d, want 401", code)
	}
	if code, body, _ := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags", key, []byte(`{"context":{"targetingKey":"u1"}}`)); code != http.StatusOK || !strings.Contains(body, `"split"`) {
		t.Errorf("bulk evaluation: %d %s", code, body)
	}
}

// TestInProcessFeedMatchesOFREPAndFollowsChanges runs package feed
// against the server: every flag evaluates in-process exactly as OFREP
// answers it, and a kill reaches the feed over the event stream.
func TestInProcessFeedMatchesOFREPAndFollowsChanges(t *testing.T) {
	const key = "eval-key"
	s := startServer(t, t.TempDir(), "--flag-key", key)
	s.mustCLI("apply", "-f", writeSpec(t, specDir(t), "slipway.yaml", flagsApp), "--wait", "--timeout", "30s")
	f, err := feed.New(feed.Config{URL: s.url, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	select {
	case <-f.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the feed did not load the flags within 10s")
	}
	for _, fc := range []flags.Context{
		{}, {TargetingKey: "user-1"}, {TargetingKey: "user-2", Attributes: map[string]any{"country": "NL"}},
		{TargetingKey: "user-3", Attributes: map[string]any{"country": "DE"}},
	} {
		for _, local := range f.EvaluateAll(fc) {
			body, _ := json.Marshal(map[string]any{"context": ofrepContext(fc)})
			_, remote, err := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags/"+local.Key, key, body)
			var r struct {
				Value     any    `json:"value"`
				Variant   string `json:"variant"`
				Reason    string `json:"reason"`
				ErrorCode string `json:"errorCode"`
			}
			if err != nil || json.Unmarshal([]byte(remote), &r) != nil {
				t.Fatalf("OFREP %s: %v %s", local.Key, err, remote)
			}
			if local.ErrorCode != "" || r.ErrorCode != "" {
				if string(local.ErrorCode) != r.ErrorCode {
					t.Errorf("%s for %+v: in-process error %q, OFREP %q", local.Key, fc, local.ErrorCode, r.ErrorCode)
				}
				continue
			}
			lv, _ := json.Marshal(local.Value)
			rv, _ := json.Marshal(r.Value)
			if string(lv) != string(rv) || local.Variant != r.Variant || string(local.Reason) != r.Reason {
				t.Errorf("%s for %+v: in-process %s %s %s, OFREP %s %s %s", local.Key, fc, lv, local.Variant, local.Reason, rv, r.Variant, r.Reason)
			}
		}
	}
	changed := f.Changed()
	start := time.Now()
	if code, body, err := httpDo("POST", s.url+"/v1/flags/bool-flag/kill", s.token, []byte(`{"reason":"test"}`)); err != nil || code != http.StatusOK {
		t.Fatalf("kill: %d %s %v", code, body, err)
	}
	select {
	case <-changed:
		t.Logf("a kill reached the in-process feed %s after it was asked", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("the kill did not reach the feed within 10s")
	}
	if r := f.Evaluate("bool-flag", flags.Context{}); r.Reason != flags.ReasonDisabled {
		t.Errorf("after the kill: %+v", r)
	}
}

func ofrepContext(c flags.Context) map[string]any {
	out := map[string]any{}
	for k, v := range c.Attributes {
		out[k] = v
	}
	if c.TargetingKey != "" {
		out["targetingKey"] = c.TargetingKey
	}
	return out
}
