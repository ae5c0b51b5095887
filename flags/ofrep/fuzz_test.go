package ofrep_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
	"github.com/slipway-dev/slipway/spec"
)

// engineHandler is the real handler over the real engine serving
// ofreptest.FlagsYAML; edit changes its config (anonymous by default).
func engineHandler(tb testing.TB, edit func(*ofrep.Config)) *ofrep.Handler {
	tb.Helper()
	app, err := spec.Parse("slipway.yaml", []byte("app: shop\nservices:\n  web:\n    run: [./web]\n"+ofreptest.FlagsYAML))
	if err != nil {
		tb.Fatal(err)
	}
	set, err := flags.CompileApp(app, nil)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := ofrep.Default()
	cfg.Evaluator, cfg.AllowAnonymous = compiled{set}, true
	cfg.Logger = slog.New(slog.DiscardHandler)
	if edit != nil {
		edit(&cfg)
	}
	h, err := ofrep.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(h.Close)
	return h
}

// errorCodes are the errorCode values OFREP defines.
var errorCodes = map[string]bool{"PARSE_ERROR": true, "TARGETING_KEY_MISSING": true, "INVALID_CONTEXT": true,
	"GENERAL": true, "FLAG_NOT_FOUND": true}

// FuzzOFREPEvaluate posts arbitrary bodies to the one-flag and bulk
// evaluation paths of the real handler: never a 5xx, and every answer
// is OFREP's success or error shape.
func FuzzOFREPEvaluate(f *testing.F) {
	h := engineHandler(f, nil)
	for _, body := range []string{``, `{}`, `{"context":{}}`, `{"context":{"targetingKey":"user-2"}}`,
		`{"context":{"country":"NL","age":18.5,"tags":["a",null,{"b":[]}]}}`, `{"context":null}`, `{"context":5}`,
		`{"context":{"targetingKey":7}}`, `{`, `[]`, `null`, `{"context":{"x":1e400}}`, `{"context":{}} x`,
		strings.Repeat("[", 2000), `{"context":{"targetingKey":"\ud800"}}`, "{\"context\":{\"k\":\"\xff\"}}"} {
		for _, key := range []string{"", "bool-flag", "targeted", "split", "object-flag", "no-such-flag"} {
			f.Add(key, []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		path := ofrep.PathFlags
		if key != "" {
			path += "/" + url.PathEscape(key)
		}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkOFREPAnswer(t, rec, key != "" && !strings.Contains(key, "/"))
	})
}

// checkOFREPAnswer checks an evaluation's answer: 200 with a value (or
// the bulk flags), or 400/404 with a known errorCode (and, for one flag,
// its key).
func checkOFREPAnswer(t *testing.T, rec *httptest.ResponseRecorder, single bool) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("status %d, answer is not a JSON object: %v: %s", rec.Code, err, rec.Body)
	}
	switch rec.Code {
	case http.StatusOK:
		if _, ok := body["flags"]; !single && !ok {
			t.Fatalf("bulk answer without flags: %s", rec.Body)
		}
		if _, ok := body["value"]; single && !ok {
			t.Fatalf("one-flag answer without value: %s", rec.Body)
		}
	case http.StatusBadRequest, http.StatusNotFound:
		if code, _ := body["errorCode"].(string); !errorCodes[code] {
			t.Fatalf("status %d with errorCode %q: %s", rec.Code, code, rec.Body)
		}
		if _, ok := body["key"].(string); single && !ok {
			t.Fatalf("one-flag error without its key: %s", rec.Body)
		}
	default:
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}
