package ofrep_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/flags/ofrep"
)

// badOFREP is one bad request to the OFREP handler: what is sent, the
// status it must get and a substring of the answer that says what is
// wrong.
type badOFREP struct {
	name, method, path, body string
	key                      string // the evaluation key sent, if any
	status                   int
	want                     string
}

const one, bulk = ofrep.PathFlags + "/bool-flag", ofrep.PathFlags

// badOFREPCases is the catalogue of bad OFREP requests.
var badOFREPCases = []badOFREP{
	{"unclosed object", "POST", one, `{`, "", 400, `"errorCode":"PARSE_ERROR"`},
	{"array body", "POST", one, `[]`, "", 400, "cannot unmarshal array"},
	{"not JSON", "POST", one, `hello`, "", 400, "invalid character 'h'"},
	{"trailing garbage", "POST", one, `{"context":{}} x`, "", 400, "after top-level value"},
	{"two objects", "POST", one, `{}{}`, "", 400, "PARSE_ERROR"},
	{"context a number", "POST", one, `{"context":5}`, "", 400, "context must be a JSON object, not a number"},
	{"context a string", "POST", one, `{"context":"x"}`, "", 400, "context must be a JSON object, not a string"},
	{"context an array", "POST", one, `{"context":[1]}`, "", 400, "context must be a JSON object, not an array"},
	{"context a boolean", "POST", one, `{"context":true}`, "", 400, "not a boolean"},
	{"targeting key a number", "POST", one, `{"context":{"targetingKey":5}}`, "", 400, "context.targetingKey must be a string, not a number"},
	{"targeting key an array", "POST", one, `{"context":{"targetingKey":["a"]}}`, "", 400, "targetingKey must be a string, not an array"},
	{"targeting key an object", "POST", one, `{"context":{"targetingKey":{}}}`, "", 400, "targetingKey must be a string, not an object"},
	{"targeting key a boolean", "POST", one, `{"context":{"targetingKey":false}}`, "", 400, "not a boolean"},
	{"number out of range", "POST", one, `{"context":{"age":1e400}}`, "", 400, "cannot unmarshal number 1e400"},
	{"nesting too deep", "POST", one, `{"context":` + strings.Repeat("[", 20000), "", 400, "PARSE_ERROR"},
	{"body too large", "POST", one, `{"context":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`, "", 400, "request body larger than 1048576 bytes"},
	{"context field a string", "POST", one, `{"context":"{}"}`, "", 400, "INVALID_CONTEXT"},
	{"unknown flag", "POST", ofrep.PathFlags + "/no-such-flag", `{}`, "", 404, `"errorCode":"FLAG_NOT_FOUND"`},
	{"split without targeting key", "POST", ofrep.PathFlags + "/split", `{"context":{}}`, "", 400, "TARGETING_KEY_MISSING"},
	{"key in error answer", "POST", ofrep.PathFlags + "/targeted", `{"context":7}`, "", 400, `"key":"targeted"`},
	{"bulk: unclosed object", "POST", bulk, `{`, "", 400, `"errorCode":"PARSE_ERROR"`},
	{"bulk: context a number", "POST", bulk, `{"context":1}`, "", 400, "context must be a JSON object, not a number"},
	{"bulk: targeting key a boolean", "POST", bulk, `{"context":{"targetingKey":true}}`, "", 400, "INVALID_CONTEXT"},
	{"bulk: body too large", "POST", bulk, strings.Repeat(" ", 2<<20) + "{}", "", 400, "larger than"},
	{"bulk: trailing slash, bad body", "POST", bulk + "/", `nope`, "", 400, "PARSE_ERROR"},
	{"GET an evaluation", "GET", one, ``, "", 405, "Method Not Allowed"},
	{"PUT bulk", "PUT", bulk, `{}`, "", 405, "Method Not Allowed"},
	{"POST the configuration", "POST", ofrep.PathConfiguration, `{}`, "", 405, "Method Not Allowed"},
	{"POST the events", "POST", ofrep.PathEvents, ``, "", 405, "Method Not Allowed"},
	{"unknown path", "POST", "/ofrep/v1/evaluate", `{}`, "", 404, "404 page not found"},
	{"unknown version", "POST", "/ofrep/v2/evaluate/flags/bool-flag", `{}`, "", 404, "404 page not found"},
	{"wrong key", "POST", one, `{}`, "wrong", 401, ""},
}

// TestBadInputCatalogueOFREP sends every bad request to the real handler
// over the real engine (with evaluation key "k" accepted for the
// unauthorised case), and checks that a good evaluation answers the
// same after them all: OFREP keeps no state a request could change.
func TestBadInputCatalogueOFREP(t *testing.T) {
	h := engineHandler(t, func(c *ofrep.Config) { c.CheckKey = ofrep.StaticKeys("k") })
	before := serveOFREP(h, "POST", one, `{"context":{"targetingKey":"user-2"}}`, "")
	for _, tc := range badOFREPCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := serveOFREP(h, tc.method, tc.path, tc.body, tc.key)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%s %s: status %d, body %.300s; want %d containing %q", tc.method, tc.path, rec.Code, rec.Body, tc.status, tc.want)
			}
			if tc.status == 400 || tc.status == 404 && strings.Contains(tc.want, "errorCode") {
				checkOFREPAnswer(t, rec, strings.HasPrefix(tc.path, ofrep.PathFlags+"/") && len(tc.path) > len(ofrep.PathFlags)+1)
			}
		})
	}
	if after := serveOFREP(h, "POST", one, `{"context":{"targetingKey":"user-2"}}`, ""); after.Body.String() != before.Body.String() {
		t.Errorf("a good evaluation changed: %s, then %s", before.Body, after.Body)
	}
	t.Logf("catalogue: ofrep: %d bad inputs", len(badOFREPCases))
}

// serveOFREP serves one request; key, if set, is sent as a bearer key.
func serveOFREP(h http.Handler, method, path, body, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
