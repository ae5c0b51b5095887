package prometheus_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/analysis/prometheus"
)

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		url     string
		wantErr bool
	}{
		{"http://127.0.0.1:9090", false},
		{"http://prometheus.internal:9090/prefix", false},
		{"", true},
		{"://no-scheme", true},
	} {
		if _, err := prometheus.New(prometheus.Config{URL: tc.url}); (err != nil) != tc.wantErr {
			t.Errorf("New(%q) error = %v, want error %v", tc.url, err, tc.wantErr)
		}
	}
}

// TestUnanswered covers a Prometheus that cannot give a value: nobody
// listening, a server that hangs past the timeout or the caller's context,
// and something at the URL that is not Prometheus. Each is an error.
func TestUnanswered(t *testing.T) {
	hung := hangingServer(t)
	notProm := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notProm.Close)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name    string
		url     string
		ctx     context.Context
		compare bool
		wantIs  error
		want    []string
	}{
		{name: "nobody listening", url: "http://" + closedAddr(t), ctx: context.Background(),
			want: []string{"connection refused", "errorRate"}},
		{name: "timeout", url: hung, ctx: context.Background(), wantIs: context.DeadlineExceeded},
		{name: "timeout, compare", url: hung, ctx: context.Background(), compare: true,
			wantIs: context.DeadlineExceeded},
		{name: "cancelled", url: hung, ctx: cancelled, wantIs: context.Canceled},
		{name: "not prometheus", url: notProm.URL, ctx: context.Background(), want: []string{"404"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := prometheus.New(prometheus.Config{URL: tc.url, Timeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			q := analysis.Query{PromQL: "errorRate", Canary: 2, Window: time.Minute, Compare: tc.compare}
			_, err = p.Measure(tc.ctx, q)
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Fatalf("error %v, want %v", err, tc.wantIs)
			}
			errContains(t, err, append(tc.want, "prometheus"))
		})
	}
}

// hangingServer answers nothing until the client gives up or the test
// ends. It reads the (POST) body first: only then does the server watch
// the connection and cancel the request's context when the client leaves.
func hangingServer(t *testing.T) string {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first
	return srv.URL
}

// closedAddr is a loopback address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
