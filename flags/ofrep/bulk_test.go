package ofrep_test

import (
	"testing"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

func TestBulk(t *testing.T) {
	ev := ofreptest.NewCanned().
		Set("bool-flag", ofreptest.Static(true, "on", flags.ReasonStatic)).
		Set("targeted", ofreptest.ByCountry).
		Set("split", ofreptest.Split).
		Set("type-mismatch", ofreptest.Failing(flags.ErrTypeMismatch, "not a boolean"))
	srv, _ := start(t, ev, nil)
	a := do(t, "POST", srv.URL+"/ofrep/v1/evaluate/flags", `{"context":{"country":"NL"}}`)
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.raw)
	}
	sameJSON(t, a.body, `{"flags":[
		{"key":"bool-flag","value":true,"variant":"on","reason":"STATIC"},
		{"key":"targeted","value":true,"variant":"on","reason":"TARGETING_MATCH"},
		{"key":"split","errorCode":"TARGETING_KEY_MISSING","errorDetails":"a percentage rollout needs a targeting key"},
		{"key":"type-mismatch","errorCode":"GENERAL","errorDetails":"TYPE_MISMATCH: not a boolean"}],
		"eventStreams":[{"type":"sse","endpoint":{"requestUri":"/ofrep/v1/events"}}]}`)
	if tag := a.header.Get("ETag"); len(tag) != 34 || tag[0] != '"' {
		t.Errorf("ETag = %q, want a strong tag", tag)
	}
}

func TestBulkEmptyAndPublicURL(t *testing.T) {
	srv, _ := start(t, ofreptest.NewCanned(), func(c *ofrep.Config) { c.PublicURL = "https://flags.example.com/" })
	a := do(t, "POST", srv.URL+"/ofrep/v1/evaluate/flags", ``)
	sameJSON(t, a.body, `{"flags":[],"eventStreams":[{"type":"sse","url":"https://flags.example.com/ofrep/v1/events"}]}`)
}

func TestBulkRequestErrors(t *testing.T) {
	srv, _ := start(t, ofreptest.Fixture(), nil)
	tests := []struct{ body, want string }{
		{`{"context":`, `{"errorCode":"PARSE_ERROR","errorDetails":"request body: unexpected end of JSON input"}`},
		{`{"context":5}`, `{"errorCode":"INVALID_CONTEXT","errorDetails":"context must be a JSON object, not a number"}`},
		{`{"context":{"targetingKey":true}}`, `{"errorCode":"INVALID_CONTEXT","errorDetails":"context.targetingKey must be a string, not a boolean"}`},
	}
	for _, tc := range tests {
		a := do(t, "POST", srv.URL+"/ofrep/v1/evaluate/flags", tc.body)
		if a.status != 400 {
			t.Errorf("%s: status %d, want 400", tc.body, a.status)
		}
		sameJSON(t, a.body, tc.want)
	}
}

// The ETag covers the configuration version, the key and the context;
// equal contexts written differently get the same tag.
func TestBulkETag(t *testing.T) {
	ev := ofreptest.Fixture()
	srv, _ := start(t, ev, func(c *ofrep.Config) { c.CheckKey = ofrep.StaticKeys("k1", "k2") })
	url := srv.URL + "/ofrep/v1/evaluate/flags"
	tagOf := func(body string, headers ...string) string {
		t.Helper()
		a := do(t, "POST", url, body, headers...)
		if a.status != 200 {
			t.Fatalf("%s: status %d", body, a.status)
		}
		return a.header.Get("ETag")
	}
	base := tagOf(`{"context":{"targetingKey":"u1","country":"NL","age":30}}`)
	same := []string{
		` { "context" : { "age" : 30.0, "country":"NL", "targetingKey":"u1" } } `,
		`{"context":{"country":"\u004eL","targetingKey":"u1","age":3e1}}`,
	}
	for _, body := range same {
		if got := tagOf(body); got != base {
			t.Errorf("%s: ETag %s, want %s (same context)", body, got, base)
		}
	}
	differ := map[string]string{
		"other country":         tagOf(`{"context":{"targetingKey":"u1","country":"BE","age":30}}`),
		"other targeting key":   tagOf(`{"context":{"targetingKey":"u2","country":"NL","age":30}}`),
		"one attribute less":    tagOf(`{"context":{"targetingKey":"u1","country":"NL"}}`),
		"no context":            tagOf(``),
		"with a key":            tagOf(`{"context":{"targetingKey":"u1","country":"NL","age":30}}`, "X-API-Key: k1"),
		"with another key":      tagOf(`{"context":{"targetingKey":"u1","country":"NL","age":30}}`, "X-API-Key: k2"),
		"number as string":      tagOf(`{"context":{"targetingKey":"u1","country":"NL","age":"30"}}`),
		"nested object differs": tagOf(`{"context":{"targetingKey":"u1","country":"NL","age":30,"org":{}}}`),
	}
	seen := map[string]string{base: "base"}
	for name, tag := range differ {
		if other, dup := seen[tag]; dup {
			t.Errorf("%s: same ETag as %s", name, other)
		}
		seen[tag] = name
	}
	empty := tagOf(``)
	for _, body := range []string{`{}`, `{"context":null}`, `{"context":{}}`} {
		if got := tagOf(body); got != empty {
			t.Errorf("%s: ETag %s, want %s (no context is the empty context)", body, got, empty)
		}
	}
	ev.Touch()
	if got := tagOf(`{"context":{"targetingKey":"u1","country":"NL","age":30}}`); got == base {
		t.Errorf("configuration changed, ETag did not")
	}
}

func TestBulkNotModified(t *testing.T) {
	ev := ofreptest.Fixture()
	srv, _ := start(t, ev, nil)
	url := srv.URL + "/ofrep/v1/evaluate/flags"
	body := `{"context":{"targetingKey":"u1"}}`
	first := do(t, "POST", url, body)
	tag := first.header.Get("ETag")
	tests := []struct {
		name        string
		ifNoneMatch string
		status      int
	}{
		{"same tag", tag, 304},
		{"weak form", "W/" + tag, 304},
		{"in a list", `"x", ` + tag + `, "y"`, 304},
		{"any", "*", 304},
		{"other tag", `"other"`, 200},
		{"unquoted", tag[1 : len(tag)-1], 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := ev.Calls()
			a := do(t, "POST", url, body, "If-None-Match: "+tc.ifNoneMatch)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d", a.status, tc.status)
			}
			if got := a.header.Get("ETag"); got != tag {
				t.Errorf("ETag = %q, want %q", got, tag)
			}
			evaluated := ev.Calls() - before
			if (tc.status == 304) != (evaluated == 0) {
				t.Errorf("status %d after %d evaluations: a 304 evaluates nothing, a 200 evaluates", a.status, evaluated)
			}
			if tc.status == 304 && a.raw != "" {
				t.Errorf("304 with a body: %q", a.raw)
			}
		})
	}
	ev.Set("bool-flag", ofreptest.Static(false, "off", flags.ReasonStatic))
	a := do(t, "POST", url, body, "If-None-Match: "+tag)
	if a.status != 200 || a.header.Get("ETag") == tag {
		t.Errorf("after a change: status %d, ETag %s; want 200 and a new tag", a.status, a.header.Get("ETag"))
	}
}
