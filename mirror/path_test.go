package mirror

import (
	"reflect"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	key := func(k string) segment { return segment{kind: keyStep, key: k} }
	idx := func(i int) segment { return segment{kind: indexStep, index: i} }
	wild := segment{kind: anyStep}
	tests := []struct {
		path string
		want []segment
		err  string
	}{
		{"$", nil, ""},
		{"$.requestId", []segment{key("requestId")}, ""},
		{"$.items[*].id", []segment{key("items"), wild, key("id")}, ""},
		{"$.items[2].price", []segment{key("items"), idx(2), key("price")}, ""},
		{"$.*.id", []segment{wild, key("id")}, ""},
		{"$[0]", []segment{idx(0)}, ""},
		{"$['a.b']['it''s']", nil, "must be followed by ]"},
		{`$['a.b']['it\'s']`, []segment{key("a.b"), key("it's")}, ""},
		{"$.snake_case.kebab-case", []segment{key("snake_case"), key("kebab-case")}, ""},
		{"requestId", nil, "must start with $"},
		{"", nil, "must start with $"},
		{"$.", nil, "a key name must follow the dot"},
		{"$..a", nil, "a key name must follow the dot"},
		{"$.a[", nil, "[ is not closed"},
		{"$.a[x]", nil, "[x] must be an index"},
		{"$.a[-1]", nil, "[-1] must be an index"},
		{"$['a", nil, "quoted key is not closed"},
		{"$a", nil, `unexpected 'a'`},
	}
	for _, tc := range tests {
		got, err := parsePath(tc.path)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parsePath(%q) error = %v, want %q", tc.path, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("parsePath(%q): %v", tc.path, err)
		case tc.err == "" && !reflect.DeepEqual(got, tc.want):
			t.Errorf("parsePath(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestFormatPathRoundTrips(t *testing.T) {
	for _, p := range []string{"$", "$.a", "$.items[12].price", "$['a.b'].c", `$['it\'s']`, `$['back\\slash']`, "$['']", "$['has space'][*]", "$['*']"} {
		segs, err := parsePath(p)
		if err != nil {
			t.Fatalf("parsePath(%q): %v", p, err)
		}
		if got := formatPath(segs); got != p {
			t.Errorf("formatPath(parsePath(%q)) = %q", p, got)
		}
	}
}

func TestPattern(t *testing.T) {
	tests := []struct{ field, want string }{
		{"$.items[2].price", "$.items[*].price"},
		{"$[0][1]", "$[*][*]"},
		{"$.a", "$.a"},
		{"$['x[1]']", "$['x[1]']"}, // a key, not an index
		{"status", "status"},
		{"header:Content-Type", "header:Content-Type"},
	}
	for _, tc := range tests {
		if got := Pattern(tc.field); got != tc.want {
			t.Errorf("Pattern(%q) = %q, want %q", tc.field, got, tc.want)
		}
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"$.requestId", "$.requestId", true},
		{"$.items[*].id", "$.items[3].id", true},
		{"$.items[*].id", "$.items[3].price", false},
		{"$.items[1]", "$.items[2]", false},
		{"$.*.id", "$.a.id", true},
		{"$.*", "$[4]", true},
		{"$.a", "$.a.b", false}, // the walk stops at $.a: below is never reached
		{"$", "$", true},
	}
	for _, tc := range tests {
		p, _ := parsePath(tc.pattern)
		q, _ := parsePath(tc.path)
		if got := matches(p, q); got != tc.want {
			t.Errorf("matches(%s, %s) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

func TestRouteKey(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"GET", "/orders/1", "GET /orders/{id}"},
		{"GET", "/orders/2", "GET /orders/{id}"},
		{"GET", "/orders/2/items/30", "GET /orders/{id}/items/{id}"},
		{"GET", "/users/0b9e2c0a-4a43-4a57-9a7b-1c7e5b2f9d10", "GET /users/{id}"},
		{"GET", "/blobs/5f2b9c1e8d7a6b3c", "GET /blobs/{id}"},
		{"GET", "/v1/orders", "GET /v1/orders"},
		{"GET", "/decafbadcafebabe", "GET /decafbadcafebabe"}, // hex, but no digit: a word
		{"POST", "/orders/", "POST /orders/"},
		{"GET", "", "GET /"},
	}
	for _, tc := range tests {
		if got := RouteKey(tc.method, tc.path); got != tc.want {
			t.Errorf("RouteKey(%s, %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}
