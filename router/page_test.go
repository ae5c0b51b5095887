package router

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer is a log's output, safe to write from the router's
// goroutines while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// refusingAddr is an address where nothing listens: connections to it
// are refused.
func refusingAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestErrorPagesAreFixed: every error page a client gets is its status
// and a fixed text, with no address, Go error, service name or request
// path in it, whichever path wrote it (the fast path, the reverse proxy,
// a timeout, a body limit, no instance, no route); the log gets the
// detail.
func TestErrorPagesAreFixed(t *testing.T) {
	refused := refusingAddr(t)
	release := make(chan struct{})
	slow := backendServer(t, "slow", func(w http.ResponseWriter, r *http.Request) { <-release })
	t.Cleanup(func() { close(release) }) // before the backend closes: it waits for its handlers
	var logs logBuffer
	rt := New(Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	t.Cleanup(rt.Close)
	rt.Update([]Route{
		{Service: "refusing", Path: "/refusing", Backends: []Backend{{ID: "r1", Addr: refused}}},
		{Service: "slow", Path: "/slow", Backends: []Backend{slow}, Timeout: 50 * time.Millisecond},
		{Service: "small", Path: "/small", Backends: []Backend{slow}, MaxBody: 4},
		{Service: "empty", Path: "/empty"},
	})
	srv := httptest.NewServer(rt)
	t.Cleanup(srv.Close)
	const (
		page502 = "502 Bad Gateway: the service is unavailable\n"
		page503 = "503 Service Unavailable: the service is unavailable\n"
		page504 = "504 Gateway Timeout: the service did not answer in time\n"
		page413 = "413 Request Entity Too Large: the request body is too large\n"
		page404 = "404 Not Found: no service is routed here\n"
	)
	tests := []struct {
		name, method, path string
		body               io.Reader // nil: none; a plain io.Reader: chunked
		want               int
		page               string
		logged             []string
	}{
		{"refused, fast path", "GET", "/refusing/a", nil, 502, page502, []string{"dial tcp " + refused, "connection refused", "service=refusing"}},
		{"refused, reverse proxy", "POST", "/refusing/b", strings.NewReader("hello"), 502, page502, []string{"dial tcp " + refused, "connection refused"}},
		{"timeout, fast path", "GET", "/slow/c", nil, 504, page504, []string{"service=slow", "status=504"}},
		{"timeout, reverse proxy", "POST", "/slow/d", strings.NewReader("hello"), 504, page504, []string{"status=504", "path=/slow/d"}},
		{"body over the limit", "POST", "/small/e", strings.NewReader("hello"), 413, page413, []string{"service=small", "status=413"}},
		{"chunked body over the limit", "POST", "/small/f", io.MultiReader(strings.NewReader("hello")), 413, page413, []string{"status=413", "path=/small/f"}},
		{"no ready instance", "GET", "/empty/g", nil, 503, page503, []string{"service=empty", "no ready instance"}},
		{"no route", "GET", "/nowhere/<b>h</b>", nil, 404, page404, []string{"no route", "path=/nowhere/<b>h</b>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "secret.example"
			logged := len(logs.String())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || string(body) != tc.page {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.want, tc.page)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, leak := range []string{"127.0.0.1", "dial", "refused", "secret", tc.path} {
				if strings.Contains(string(body), leak) {
					t.Errorf("the page %q shows %q", body, leak)
				}
			}
			log := logs.String()[logged:]
			for _, want := range tc.logged {
				if !strings.Contains(log, want) {
					t.Errorf("the log lacks %q:\n%s", want, log)
				}
			}
		})
	}
}
