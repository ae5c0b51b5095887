package httpjson_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/analysis/httpjson"
)

const doc = `{
	"data": {"errors": 3, "rate": "0.25", "ok": true, "down": false, "none": null, "nested": {"x": 1}},
	"checks": [{"value": 7}, {"value": 8}],
	"error-rate": 0.5,
	"list": [1, 2]
}`

// TestPaths reads values out of a real HTTP answer.
func TestPaths(t *testing.T) {
	srv := serve(t, http.StatusOK, doc)
	for _, tc := range []struct {
		path    string
		want    float64
		wantErr string
	}{
		{path: "$.data.errors", want: 3},
		{path: "$.data.rate", want: 0.25},
		{path: "$.data.ok", want: 1},
		{path: "$.data.down", want: 0},
		{path: "$.checks[1].value", want: 8},
		{path: "$['error-rate']", want: 0.5},
		{path: "$.data.missing", wantErr: "path $.data.missing: not found"},
		{path: "$.data.none", wantErr: "path $.data.none: found null"},
		{path: "$.data.nested", wantErr: "path $.data.nested: found an object"},
		{path: "$.list", wantErr: "path $.list: found an array"},
		{path: "$.checks[*].value", wantErr: "selects 2 values, want one"},
		{path: "$", wantErr: "path $: found an object"},
		{path: "", wantErr: "path $: found an object"},
		{path: "$.data[", wantErr: "path $.data["},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got, err := measure(t, httpjson.New(httpjson.Config{}), srv.URL, tc.path)
			check(t, got, err, tc.want, tc.wantErr)
		})
	}
}

// TestBodies covers whole-body values, non-JSON and failing answers.
func TestBodies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		path    string
		want    float64
		wantErr string
	}{
		{name: "bare number", status: 200, body: "42\n", want: 42},
		{name: "bare true", status: 200, body: "true", want: 1},
		{name: "numeric string", status: 200, body: `" 1e-3 "`, want: 0.001},
		{name: "non-numeric string", status: 200, body: `"fine"`, wantErr: `found the string "fine"`},
		{name: "NaN string", status: 200, body: `"NaN"`, wantErr: `found the string "NaN"`},
		{name: "204 empty", status: 204, body: "", wantErr: "not JSON"},
		{name: "not JSON", status: 200, body: "<html>oops</html>", wantErr: `not JSON: invalid character '<' looking for beginning of value: body "<html>oops</html>"`},
		{name: "trailing garbage", status: 200, body: `{"a":1} x`, path: "$.a", wantErr: "not JSON"},
		{name: "server error", status: 503, body: "overloaded\n  try later",
			wantErr: `status 503 Service Unavailable: "overloaded try later"`},
		{name: "not found, empty", status: 404, wantErr: "status 404 Not Found: (empty body)"},
		{name: "long error body", status: 500, body: strings.Repeat("e", 5000),
			wantErr: strings.Repeat("e", 200) + `..."`},
		{name: "body over 1 MiB", status: 200, body: "[" + strings.Repeat("1,", 1<<19) + "1]",
			wantErr: "body larger than 1024 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := serve(t, tc.status, tc.body)
			got, err := measure(t, httpjson.New(httpjson.Config{}), srv.URL, tc.path)
			check(t, got, err, tc.want, tc.wantErr)
		})
	}
}

// TestQuery covers the query's own fields: placeholders, comparisons,
// a missing URL.
func TestQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"revision": `+r.URL.Query().Get("rev")+`}`)
	}))
	t.Cleanup(srv.Close)
	p := httpjson.New(httpjson.Config{})
	q := analysis.Query{Service: "shop", Canary: 7, URL: srv.URL + "/{{service}}?rev={{canary}}", JSONPath: "$.revision"}

	got, err := p.Measure(context.Background(), q)
	if err != nil || !reflect.DeepEqual(got, analysis.Observation{Value: 7, Count: 1}) {
		t.Errorf("Measure = %+v, %v; want value 7, count 1", got, err)
	}
	q.Compare = true
	if _, err := p.Measure(context.Background(), q); !errors.Is(err, analysis.ErrUnsupported) {
		t.Errorf("compare: error %v, want ErrUnsupported", err)
	}
	if _, err := p.Measure(context.Background(), analysis.Query{}); err == nil || !strings.Contains(err.Error(), "no URL") {
		t.Errorf("no URL: error %v, want one saying so", err)
	}
}

// TestUnanswered covers checks that get no answer: a server that hangs
// past the timeout or the caller's context, and nobody listening.
func TestUnanswered(t *testing.T) {
	hung, slowBody := hangingServer(t, false), hangingServer(t, true)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		url    string
		ctx    context.Context
		wantIs error
		want   string
	}{
		{"timeout", hung, context.Background(), context.DeadlineExceeded, ""},
		{"timeout in the body", slowBody, context.Background(), context.DeadlineExceeded, "read body"},
		{"cancelled", hung, cancelled, context.Canceled, ""},
		{"nobody listening", closed.URL, context.Background(), nil, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := httpjson.New(httpjson.Config{Timeout: 200 * time.Millisecond})
			_, err := p.Measure(tc.ctx, analysis.Query{URL: tc.url})
			if err == nil || (tc.wantIs != nil && !errors.Is(err, tc.wantIs)) {
				t.Fatalf("error %v, want %v", err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "http check GET "+tc.url) {
				t.Errorf("error %q, want it to name the URL and contain %q", err, tc.want)
			}
		})
	}
}
