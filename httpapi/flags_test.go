package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

const flagSpec = `app: shop
services:
  order:
    run: ["./order"]
flags:
  new-checkout:
    class: release
    type: boolean
    default: off
    rules:
      - if: 'ctx.country == "NL"'
        serve: on
    rollout: {on: 25, off: 75}
`

func TestFlagsAppliedEditedAndEvaluated(t *testing.T) {
	a := newTestAPI(t, "")
	resp, body := a.do(t, "POST", "/v1/plan", "", api.ApplyRequest{File: "slipway.yaml", Spec: flagSpec})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"new-checkout"`) {
		t.Fatalf("plan: %d %s", resp.StatusCode, body)
	}
	if resp, body := a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: flagSpec}); resp.StatusCode >= 300 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	var f api.Flag
	_, body = a.do(t, "POST", "/v1/flags/new-checkout/rollout", "", api.FlagRequest{Percent: new(60.0), Reason: "going well"})
	if err := json.Unmarshal(body, &f); err != nil || f.Rollout["on"] != 60 || f.Rollout["off"] != 40 || !f.Overridden {
		t.Fatalf("rollout 60%%: %s", body)
	}
	_, body = a.do(t, "POST", "/v1/flags/new-checkout/evaluate", "", api.EvaluateRequest{Context: map[string]any{"targetingKey": "u1", "country": "NL"}})
	var e api.FlagEvaluation
	if err := json.Unmarshal(body, &e); err != nil || e.Value != true || e.Reason != "TARGETING_MATCH" {
		t.Fatalf("evaluate: %s", body)
	}
	_, body = a.do(t, "POST", "/v1/flags/new-checkout/kill", "", api.FlagRequest{Reason: "checkout errors"})
	if err := json.Unmarshal(body, &f); err != nil || !f.Killed || f.Off != "off" || f.OffUnset {
		t.Fatalf("kill answers with the flag and what it serves now: %s", body)
	}
	_, body = a.do(t, "POST", "/v1/flags/new-checkout/evaluate", "", api.EvaluateRequest{Context: map[string]any{"targetingKey": "u1", "country": "NL"}})
	if err := json.Unmarshal(body, &e); err != nil || e.Value != false || e.Reason != "DISABLED" {
		t.Fatalf("evaluate after kill: %s", body)
	}
}

func TestFlagEditsRefuseBadInput(t *testing.T) {
	a := newTestAPI(t, "")
	a.do(t, "POST", "/v1/apply", "", api.ApplyRequest{File: "slipway.yaml", Spec: flagSpec})
	for _, tc := range []struct {
		path   string
		req    api.FlagRequest
		status int
		want   string
	}{
		{"/v1/flags/nope/kill", api.FlagRequest{}, 404, `does not exist; flags: new-checkout`},
		{"/v1/flags/new-checkout/rollout", api.FlagRequest{Percent: new(120.0)}, 400, "not a percentage"},
		{"/v1/flags/new-checkout/rollout", api.FlagRequest{Split: map[string]float64{"on": 50, "off": 40}}, 400, "100"},
		{"/v1/flags/new-checkout/set", api.FlagRequest{Variant: "maybe"}, 400, "maybe"},
		{"/v1/flags/new-checkout/explode", api.FlagRequest{}, 404, "no flag verb"},
	} {
		resp, body := a.do(t, "POST", tc.path, "", tc.req)
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s %+v: %d %s; want %d with %q", tc.path, tc.req, resp.StatusCode, body, tc.status, tc.want)
		}
	}
	_, body := a.do(t, "GET", "/v1/flags/new-checkout", "", nil)
	if strings.Contains(string(body), `"overridden": true`) {
		t.Fatalf("a refused edit changed the flag: %s", body)
	}
}
