package ofrep_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

func TestEvaluateOne(t *testing.T) {
	ev := ofreptest.Fixture().
		Set("no-value", ofreptest.Static(nil, "code-default", flags.ReasonDefault)).
		Set("panics", func(flags.Context) flags.Result { panic("boom") }).
		Set("no-code", func(flags.Context) flags.Result { return flags.Result{Reason: flags.ReasonError} })
	srv, _ := start(t, ev, nil)
	nl := `{"context":{"targetingKey":"u1","country":"NL"}}`
	tests := []struct {
		name, key, body string
		status          int
		want            string
	}{
		{"boolean", "bool-flag", `{"context":{}}`, 200, `{"key":"bool-flag","value":true,"variant":"on","reason":"STATIC","metadata":{"class":"release","owner":"payments-team"}}`},
		{"string", "string-flag", `{}`, 200, `{"key":"string-flag","value":"hello","variant":"greeting","reason":"STATIC"}`},
		{"integer", "int-flag", ``, 200, `{"key":"int-flag","value":42,"variant":"answer","reason":"STATIC"}`},
		{"float", "float-flag", `{"context":null}`, 200, `{"key":"float-flag","value":3.25,"variant":"pi-ish","reason":"STATIC"}`},
		{"object", "object-flag", `{}`, 200, `{"key":"object-flag","value":{"color":"red","size":3},"variant":"red","reason":"STATIC"}`},
		{"targeting match", "targeted", nl, 200, `{"key":"targeted","value":true,"variant":"on","reason":"TARGETING_MATCH"}`},
		{"default", "targeted", `{"context":{"country":"BE"}}`, 200, `{"key":"targeted","value":false,"variant":"off","reason":"DEFAULT"}`},
		{"split", "split", nl, 200, `{"key":"split","value":"blue","variant":"blue","reason":"SPLIT"}`},
		{"disabled", "disabled", `{}`, 200, `{"key":"disabled","value":false,"variant":"off","reason":"DISABLED"}`},
		{"code default: no value", "no-value", `{}`, 200, `{"key":"no-value","variant":"code-default","reason":"DEFAULT"}`},

		{"flag not found", "nope", `{}`, 404, `{"key":"nope","errorCode":"FLAG_NOT_FOUND","errorDetails":"no flag \"nope\""}`},
		{"targeting key missing", "split", `{"context":{"country":"NL"}}`, 400, `{"key":"split","errorCode":"TARGETING_KEY_MISSING","errorDetails":"a percentage rollout needs a targeting key"}`},
		{"engine parse error", "parse-error", `{}`, 400, `{"key":"parse-error","errorCode":"PARSE_ERROR","errorDetails":"flag definition is broken"}`},
		{"engine invalid context", "invalid-context", `{}`, 400, `{"key":"invalid-context","errorCode":"INVALID_CONTEXT","errorDetails":"ctx.age must be a number"}`},
		{"general", "general-error", `{}`, 400, `{"key":"general-error","errorCode":"GENERAL","errorDetails":"rule failed"}`},
		{"type mismatch is not OFREP's", "type-mismatch", `{}`, 400, `{"key":"type-mismatch","errorCode":"GENERAL","errorDetails":"TYPE_MISMATCH: variant is not a boolean"}`},
		{"error without a code", "no-code", `{}`, 400, `{"key":"no-code","errorCode":"GENERAL"}`},

		{"malformed JSON", "bool-flag", `{"context":`, 400, `{"key":"bool-flag","errorCode":"PARSE_ERROR","errorDetails":"request body: unexpected end of JSON input"}`},
		{"body not an object", "bool-flag", `[1]`, 400, `{"key":"bool-flag","errorCode":"PARSE_ERROR","errorDetails":"request body: json: cannot unmarshal array into Go value of type ofrep.evaluationRequest"}`},
		{"trailing data", "bool-flag", `{} {}`, 400, `{"key":"bool-flag","errorCode":"PARSE_ERROR","errorDetails":"request body: invalid character '{' after top-level value"}`},
		{"context not an object", "bool-flag", `{"context":"NL"}`, 400, `{"key":"bool-flag","errorCode":"INVALID_CONTEXT","errorDetails":"context must be a JSON object, not a string"}`},
		{"context an array", "bool-flag", `{"context":[]}`, 400, `{"key":"bool-flag","errorCode":"INVALID_CONTEXT","errorDetails":"context must be a JSON object, not an array"}`},
		{"targeting key not text", "bool-flag", `{"context":{"targetingKey":7}}`, 400, `{"key":"bool-flag","errorCode":"INVALID_CONTEXT","errorDetails":"context.targetingKey must be a string, not a number"}`},
		{"evaluator panics", "panics", `{}`, 500, `{"errorDetails":"internal error, logged by the server"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, "POST", srv.URL+"/ofrep/v1/evaluate/flags/"+tc.key, tc.body)
			if a.status != tc.status {
				t.Errorf("status = %d, want %d (%s)", a.status, tc.status, a.raw)
			}
			sameJSON(t, a.body, tc.want)
		})
	}
}

func TestEvaluateOnePassesContext(t *testing.T) {
	ev := ofreptest.Fixture()
	srv, _ := start(t, ev, nil)
	a := do(t, "POST", srv.URL+"/ofrep/v1/evaluate/flags/bool-flag",
		`{"context":{"targetingKey":"user-1","plan":"pro","age":31,"tags":["a"],"org":{"id":"o1"}}}`)
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	c := ev.Last()
	if c.TargetingKey != "user-1" {
		t.Errorf("TargetingKey = %q", c.TargetingKey)
	}
	sameJSON(t, c.Attributes, `{"targetingKey":"user-1","plan":"pro","age":31,"tags":["a"],"org":{"id":"o1"}}`)
}

func TestBodyLimit(t *testing.T) {
	srv, _ := start(t, ofreptest.Fixture(), nil)
	url := srv.URL + "/ofrep/v1/evaluate/flags/bool-flag"
	big := `{"context":{"pad":"` + strings.Repeat("x", 1<<20) + `"}}`
	a := do(t, "POST", url, big)
	if a.status != 400 {
		t.Fatalf("status %d, want 400", a.status)
	}
	sameJSON(t, a.body, `{"key":"bool-flag","errorCode":"PARSE_ERROR","errorDetails":"request body larger than 1048576 bytes"}`)

	fits := `{"context":{"pad":"` + strings.Repeat("x", 1<<20-len(`{"context":{"pad":""}}`)) + `"}}`
	if a := do(t, "POST", url, fits); a.status != 200 {
		t.Errorf("a body of exactly 1 MiB: status %d, want 200 (%.200s)", a.status, a.raw)
	}
}

func TestRoutes(t *testing.T) {
	srv, _ := start(t, ofreptest.Fixture(), nil)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/ofrep/v1/evaluate/flags/bool-flag", 405, "POST"},
		{"PUT", "/ofrep/v1/evaluate/flags", 405, "POST"},
		{"POST", "/ofrep/v1/events", 405, "GET"},
		{"POST", "/ofrep/v1/configuration", 405, "GET"},
		{"POST", "/v1/apps", 404, ""},
		{"POST", "/ofrep/v1/evaluate", 404, ""},
		{"POST", "/ofrep/v2/evaluate/flags/x", 404, ""},
		{"POST", "/ofrep/v1/evaluate/flags/", 200, ""}, // bulk, as flagd serves it
		{"GET", "/ofrep/v1/configuration", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			a := do(t, tc.method, srv.URL+tc.path, "")
			if a.status != tc.status {
				t.Errorf("status = %d, want %d", a.status, tc.status)
			}
			if got := a.header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestKeyWithSlashAndEscapes(t *testing.T) {
	ev := ofreptest.NewCanned().Set("team/new checkout", ofreptest.Static(true, "on", flags.ReasonStatic))
	srv, _ := start(t, ev, nil)
	// What the Go provider sends: url.JoinPath escapes the space, keeps the slash.
	a := do(t, "POST", srv.URL+"/ofrep/v1/evaluate/flags/team/new%20checkout", `{}`)
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	sameJSON(t, a.body, `{"key":"team/new checkout","value":true,"variant":"on","reason":"STATIC"}`)
}

func TestConfiguration(t *testing.T) {
	srv, _ := start(t, ofreptest.Fixture(), nil)
	a := do(t, "GET", srv.URL+"/ofrep/v1/configuration", "")
	sameJSON(t, a.body, `{"name":"slipway","capabilities":{"flagEvaluation":{"supportedTypes":["boolean","string","int","float","object"]}}}`)
	if again := do(t, "GET", srv.URL+"/ofrep/v1/configuration", "", "If-None-Match: "+a.header.Get("ETag")); again.status != 304 {
		t.Errorf("If-None-Match: status %d, want 304", again.status)
	}
}
