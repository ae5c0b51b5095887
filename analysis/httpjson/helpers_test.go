package httpjson_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/analysis/httpjson"
)

// serve answers every request with status and body.
func serve(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// hangingServer answers nothing until the client gives up or the test
// ends; with headers, it sends the status line and headers first and then
// hangs in the body.
func hangingServer(t *testing.T, headers bool) string {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if headers {
			_, _ = io.WriteString(w, `{"value": `)
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv.URL
}

func measure(t *testing.T, p *httpjson.Provider, url, path string) (analysis.Observation, error) {
	t.Helper()
	return p.Measure(context.Background(), analysis.Query{URL: url, JSONPath: path})
}

// check compares a measurement with a wanted value (Count 1), or its
// error with a wanted part.
func check(t *testing.T, got analysis.Observation, err error, want float64, wantErr string) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case wantErr != "" && err == nil:
		t.Fatalf("got %+v, want an error containing %q", got, wantErr)
	case wantErr != "" && !strings.Contains(err.Error(), wantErr):
		t.Fatalf("error %q, want it to contain %q", err, wantErr)
	case wantErr == "" && !reflect.DeepEqual(got, analysis.Observation{Value: want, Count: 1}):
		t.Fatalf("got %+v, want value %v, count 1", got, want)
	}
}
