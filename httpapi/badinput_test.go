package httpapi

import (
	"strings"
	"testing"
)

// badRequestCase is one bad request to the API: what is sent, the
// status it must get, and substrings of the answer that say what is
// wrong (for a spec, its file, line and field).
type badRequestCase struct {
	name, method, path, body string
	headers                  []string // "Name", "value" pairs
	status                   int
	want                     []string
}

func apply(spec string) string { return `{"file":"slipway.yaml","spec":` + jsonString(spec) + `}` }

// badRequests is the catalogue of bad API requests, by endpoint.
var badRequests = []badRequestCase{
	// apply, plan, validate: the body and the spec in it.
	{"apply: unclosed body", "POST", "/v1/apply", `{`, nil, 400, []string{"request body: unexpected EOF"}},
	{"apply: empty body", "POST", "/v1/apply", ``, nil, 400, []string{"request body: empty; want a JSON object"}},
	{"apply: unknown field", "POST", "/v1/apply", `{"fle":"x"}`, nil, 400, []string{`unknown field \"fle\"`}},
	{"apply: spec a number", "POST", "/v1/apply", `{"spec":5}`, nil, 400, []string{"cannot unmarshal number into Go struct field"}},
	{"apply: two objects", "POST", "/v1/apply", apply(flagSpec) + `{}`, nil, 400, []string{"want one JSON object, found more"}},
	{"apply: trailing garbage", "POST", "/v1/apply", apply(flagSpec) + ` x`, nil, 400, []string{"found more"}},
	{"apply: array body", "POST", "/v1/apply", `[]`, nil, 400, []string{"cannot unmarshal array"}},
	{"apply: negative instances", "POST", "/v1/apply", apply("app: shop\nservices:\n  order:\n    run: [x]\n    instances: -1\n"), nil, 422,
		[]string{`"file": "slipway.yaml"`, `"line": 5`, `"path": "services.order.instances"`}},
	{"apply: YAML syntax", "POST", "/v1/apply", apply("app: shop\nservices: [\n"), nil, 422, []string{`"line": 2`, "invalid YAML"}},
	{"apply: no services", "POST", "/v1/apply", apply("app: shop\n"), nil, 422, []string{`"line": 1`, "services"}},
	{"apply: unknown field in spec", "POST", "/v1/apply", apply(flagSpec + "servics: {}\n"), nil, 422, []string{`"line": 14`, `did you mean \"services\"`}},
	{"apply: bad flag rule", "POST", "/v1/apply", apply(strings.Replace(flagSpec, `ctx.country == "NL"`, `ctx.country ==`, 1)), nil, 422,
		[]string{`"line": 11`, "flags.new-checkout.rules[0].if"}},
	{"apply: spec too large", "POST", "/v1/apply", apply("app: shop\n#" + strings.Repeat("x", 1<<20)), nil, 422, []string{"a spec may be at most"}},
	{"apply: unknown artifact", "POST", "/v1/apply", apply("app: shop\nservices:\n  order:\n    run: [./order]\n    artifact: {path: bin/order, digest: sha256:" + strings.Repeat("ab", 32) + "}\n"), nil, 422, []string{"never uploaded"}},
	{"apply: another app", "POST", "/v1/apply", apply(strings.Replace(flagSpec, "shop", "other", 1)), nil, 409, []string{`runs app \"shop\"`}},
	{"apply: while an operation runs", "POST", "/v1/apply", apply(strings.Replace(flagSpec, `run: ["./order"]`, `run: ["./order", "-v"]`, 1)), nil, 409, []string{"is still running"}},
	{"apply: image and run", "POST", "/v1/apply", apply("app: shop\nservices:\n  order:\n    run: [./order]\n    image: shop/order:v1\n"), nil, 422,
		[]string{`"line": 4`, `"path": "services.order.run"`, "not both"}},
	{"apply: image reference invalid", "POST", "/v1/apply", apply("app: shop\nservices:\n  order:\n    image: Shop/Order\n"), nil, 422,
		[]string{`"line": 4`, "invalid image reference"}},
	{"apply: image on a server without images", "POST", "/v1/apply", apply("app: shop\nservices:\n  order:\n    image: 127.0.0.1:1/shop/order:v1\n"), nil, 422,
		[]string{`"line": 4`, `"path": "services.order.image"`, "no image store"}},
	{"plan: bad spec", "POST", "/v1/plan", apply("app: shop\nservices:\n  order: {run: 7}\n"), nil, 422, []string{`"line": 3`, "services.order.run"}},
	{"validate: empty body", "POST", "/v1/validate", ``, nil, 400, []string{"empty"}},
	{"validate: body a string", "POST", "/v1/validate", `"app: shop"`, nil, 400, []string{"cannot unmarshal string"}},
	// Where a request comes from.
	{"apply: text/plain", "POST", "/v1/apply", apply(flagSpec), []string{"Content-Type", "text/plain"}, 415, []string{"must be JSON"}},
	{"apply: form", "POST", "/v1/apply", "spec=x", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, []string{"must be JSON"}},
	{"apply: foreign origin", "POST", "/v1/apply", apply(flagSpec), []string{"Origin", "https://evil.example"}, 403, []string{"cross-origin request from https://evil.example refused"}},
	{"rebinding host", "GET", "/v1/services", ``, []string{"Host", "evil.example"}, 403, []string{"is not a loopback name"}},
	{"unknown environment", "GET", "/v1/services", ``, []string{"X-Slipway-Env", "nope"}, 404, []string{`environment \"nope\" does not exist on this server`}},
	// Services and their verbs.
	{"rollback: while an operation runs", "POST", "/v1/services/order/rollback", `{"to":99}`, nil, 409, []string{"operation 1 (apply of order) is still running"}},
	{"rollback: revision a string", "POST", "/v1/services/order/rollback", `{"to":"1"}`, nil, 400, []string{"cannot unmarshal string"}},
	{"rollback: unknown service", "POST", "/v1/services/nope/rollback", `{}`, nil, 404, []string{`service \"nope\" does not exist`}},
	{"rollout: unknown verb", "POST", "/v1/services/order/rollout/explode", `{}`, nil, 404, []string{`no rollout verb \"explode\"`}},
	{"rollout: weight over 100", "POST", "/v1/services/order/rollout/set-weight", `{"weight":150}`, nil, 400, []string{"weight must be 0..100 (a percentage of traffic), got 150"}},
	{"rollout: no canary to promote", "POST", "/v1/services/order/promote", `{}`, nil, 409, []string{"service order has nothing to promote"}},
	{"rollout: unknown service", "POST", "/v1/services/nope/rollout/pause", `{}`, nil, 404, []string{`service \"nope\" does not exist`}},
	{"rollout: bad body", "POST", "/v1/services/order/rollout/abort", `{"reason":1}`, nil, 400, []string{"cannot unmarshal number"}},
	{"rollout: a stale view (no canary now)", "POST", "/v1/services/order/rollout/promote", `{"ifRevision":1,"ifStep":0}`, nil, 409, []string{"order has no canary rollout any more: reload"}},
	{"rollout: ifStep not a number", "POST", "/v1/services/order/rollout/abort", `{"ifStep":"2"}`, nil, 400, []string{"cannot unmarshal string"}},
	{"service: unknown", "GET", "/v1/services/nope", ``, nil, 404, []string{`service \"nope\" does not exist (services: [order])`}},
	{"operation: id not a number", "GET", "/v1/operations/abc", ``, nil, 400, []string{"operation id: want an integer"}},
	{"operation: unknown", "GET", "/v1/operations/99", ``, nil, 404, []string{"operation 99 does not exist"}},
	{"events: after not a number", "GET", "/v1/events?after=x", ``, nil, 400, []string{"after: want a non-negative integer"}},
	{"dora: bad window", "GET", "/v1/dora?window=soon", ``, nil, 400, []string{"want a length like 90d"}},
	// Incidents.
	{"incident: no service", "POST", "/v1/incidents", `{"title":"down"}`, nil, 400, []string{"service: required"}},
	{"incident: negative causedBy", "POST", "/v1/incidents", `{"service":"order","causedBy":-1}`, nil, 400, []string{"causedBy: want a revision number"}},
	{"incident: title with a newline", "POST", "/v1/incidents", `{"service":"order","title":"a\nb"}`, nil, 400, []string{"without control characters"}},
	{"incident: title too long", "POST", "/v1/incidents", `{"service":"order","title":"` + strings.Repeat("x", 1000) + `"}`, nil, 400, []string{"title: at most"}},
	{"incident: unknown service", "POST", "/v1/incidents", `{"service":"nope"}`, nil, 404, []string{`service \"nope\" does not exist`}},
	{"incident: unknown revision", "POST", "/v1/incidents", `{"service":"order","causedBy":9}`, nil, 404, []string{"service order has no revision 9"}},
	{"incident: unknown environment", "POST", "/v1/incidents", `{"service":"order","env":"mars"}`, nil, 400, []string{`unknown environment \"mars\" (environments: default)`}},
	{"incident: resolve unknown", "POST", "/v1/incidents/99/resolve", ``, nil, 404, []string{"incident 99 does not exist"}},
	{"incident: resolve id not a number", "POST", "/v1/incidents/abc/resolve", ``, nil, 400, []string{"incident id: want a positive integer"}},
	// Flags.
	{"flag: unknown verb", "POST", "/v1/flags/new-checkout/explode", `{}`, nil, 404, []string{`no flag verb \"explode\"`}},
	{"flag: unknown flag", "POST", "/v1/flags/nope/kill", `{"reason":"x"}`, nil, 404, []string{`flag \"nope\" does not exist; flags: new-checkout`}},
	{"flag: rollout over 100%", "POST", "/v1/flags/new-checkout/rollout", `{"percent":150}`, nil, 400, []string{"150% is not a percentage (0..100)"}},
	{"flag: set unknown variant", "POST", "/v1/flags/new-checkout/set", `{"variant":"maybe"}`, nil, 400, []string{`unknown variant \"maybe\"; variants: off, on`}},
	{"flag: split to unknown variant", "POST", "/v1/flags/new-checkout/rollout", `{"split":{"blue":100}}`, nil, 400, []string{`unknown variant \"blue\"`}},
	{"flag: evaluate with an array context", "POST", "/v1/flags/new-checkout/evaluate", `{"context":[1]}`, nil, 400, []string{"cannot unmarshal array"}},
	{"flag: get unknown", "GET", "/v1/flags/nope", ``, nil, 404, []string{`flag \"nope\" does not exist`}},
	// Pipeline.
	{"version: nothing named", "POST", "/v1/versions", `{}`, nil, 400, []string{"service: want a service name", "version: want a label", "digest: artifact"}},
	{"version: bad commit", "POST", "/v1/versions", `{"service":"order","version":"v1","digest":"x","commit":"zz"}`, nil, 400, []string{"commit: must be a commit id of 7 to 64 hex digits"}},
	{"version: slash in label", "POST", "/v1/versions", `{"service":"order","version":"v1/2"}`, nil, 400, []string{"no spaces or slashes"}},
	{"version: image with a digest", "POST", "/v1/versions", `{"service":"order","version":"v1","image":"shop/order:v1","digest":"sha256:ab"}`, nil, 400, []string{"leave digest and path out"}},
	{"image: upload to a server without images", "PUT", "/v1/images", `not a tar`, nil, 400, []string{"no image store"}},
	{"deploy: no pipeline", "POST", "/v1/services/order/deploy", `{"version":"v1"}`, nil, 404, []string{"runs without a pipeline"}},
	{"down: unclosed body", "POST", "/v1/down", `{`, nil, 400, []string{"request body: unexpected EOF"}},
	{"artifact: digest mismatch", "PUT", "/v1/artifacts/sha256:" + strings.Repeat("00", 32), "hello", []string{"Content-Type", "application/octet-stream"}, 400, []string{"digest mismatch"}},
	{"artifact: not a digest", "PUT", "/v1/artifacts/md5:abc", "hello", nil, 400, []string{`invalid digest: \"md5:abc\"`}},
	// Methods and paths.
	{"apply: GET", "GET", "/v1/apply", ``, nil, 405, []string{"Method Not Allowed"}},
	{"unknown path", "POST", "/v1/nope", `{}`, nil, 404, []string{"404 page not found"}},
}

// TestBadInputCatalogueAPI sends every bad request to the real handler
// over a memory store holding an applied app, and checks its status,
// the words of its error, and that the store (every record and event)
// is as it was.
func TestBadInputCatalogueAPI(t *testing.T) {
	s := newSeeded(t, t.TempDir())
	for _, tc := range badRequests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.snapshot(t)
			rec := s.serve(tc.method, tc.path, tc.body, tc.headers)
			body := rec.Body.String()
			if rec.Code != tc.status {
				t.Errorf("%s %s: status %d, want %d: %.400s", tc.method, tc.path, rec.Code, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s %s: answer %.400s does not contain %q", tc.method, tc.path, body, w)
				}
			}
			if after := s.snapshot(t); after != before {
				t.Errorf("%s %s: the store changed", tc.method, tc.path)
			}
		})
	}
	t.Logf("catalogue: api: %d bad inputs", len(badRequests))
}
