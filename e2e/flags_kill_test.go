package e2e

// The kill switch must kill (issue 11): an operational boolean flag whose
// default is on, killed with the CLI, serves false over OFREP, to the
// in-process feed and to `slipway flags eval`, with reason DISABLED.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/feed"
)

// killSwitchApp has one kill switch that is on unless killed.
const killSwitchApp = `app: flagged
services:
  web:
    run: ["./bin/order", "--name", "web", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    health: {readiness: {http: /healthz}}
flags:
  payments:
    class: operational
    type: boolean
    default: on
    owner: payments-team
`

// ofrepAnswer is one OFREP evaluation.
type ofrepAnswer struct {
	Value   any    `json:"value"`
	Variant string `json:"variant"`
	Reason  string `json:"reason"`
}

// evaluateOFREP evaluates key over OFREP for user-1.
func (s *server) evaluateOFREP(key, token string) ofrepAnswer {
	s.t.Helper()
	code, body, err := httpDo("POST", s.url+"/ofrep/v1/evaluate/flags/"+key, token, []byte(`{"context":{"targetingKey":"user-1"}}`))
	var a ofrepAnswer
	if err != nil || code != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil {
		s.t.Fatalf("OFREP %s: %d %s %v", key, code, body, err)
	}
	return a
}

func TestKillSwitchWithDefaultOnServesFalse(t *testing.T) {
	const key = "eval-key"
	s := startServer(t, t.TempDir(), "--flag-key", key)
	s.mustCLI("apply", "-f", writeSpec(t, specDir(t), "slipway.yaml", killSwitchApp), "--wait", "--timeout", "30s")
	if a := s.evaluateOFREP("payments", key); a.Value != true || a.Reason != "STATIC" {
		t.Fatalf("before the kill: %+v, want true, STATIC", a)
	}
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
	changed := f.Changed()

	out := s.mustCLI("flags", "kill", "payments", "--reason", "card errors").stdout
	if want := `payments killed: serves "off" (false) to everyone`; !strings.HasPrefix(out, want) {
		t.Errorf("kill says:\n%s\nwant it to start with: %s", out, want)
	}
	if a := s.evaluateOFREP("payments", key); a.Value != false || a.Variant != "off" || a.Reason != "DISABLED" {
		t.Errorf("OFREP after the kill: %+v, want false (off), DISABLED", a)
	}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the kill did not reach the feed within 10s")
	}
	if r := f.Evaluate("payments", flags.Context{TargetingKey: "user-1"}); r.Value != false || r.Reason != flags.ReasonDisabled {
		t.Errorf("in-process after the kill: %+v, want false, DISABLED", r)
	}
	eval := s.mustCLI("flags", "eval", "payments", "--context", `{"targetingKey":"user-1"}`).stdout
	if !strings.Contains(eval, "value:    false\n") || !strings.Contains(eval, "reason:   DISABLED\n") {
		t.Errorf("flags eval after the kill:\n%s\nwant false, DISABLED", eval)
	}
}
