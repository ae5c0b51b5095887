package router

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// backendServer is a real HTTP backend that names itself in answers.
func backendServer(t *testing.T, name string, h http.HandlerFunc) Backend {
	t.Helper()
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, name) }
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return Backend{ID: name, Addr: srv.Listener.Addr().String()}
}

func get(t *testing.T, h http.Handler, host, path string, headers ...string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Host = host
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMatch(t *testing.T) {
	rt := New(Config{})
	rt.Update([]Route{
		{Service: "root", Path: "/"},
		{Service: "invoice", Path: "/invoice"},
		{Service: "invoice-api", Path: "/invoice/api/"},
		{Service: "order", Host: "order.localhost"},
	})
	tests := []struct{ host, path, want string }{
		{"x", "/", "root"},
		{"x", "/invoice", "invoice"},
		{"x", "/invoice/42", "invoice"},
		{"x", "/invoices", "root"},
		{"x", "/invoice/api/v1", "invoice-api"},
		{"order.localhost:7480", "/invoice", "order"},
		{"ORDER.localhost", "/", "order"},
	}
	for _, tc := range tests {
		r := rt.table.Load().match(tc.host, tc.path)
		if r == nil || r.Service != tc.want {
			t.Errorf("match(%q, %q) = %v, want %s", tc.host, tc.path, r, tc.want)
		}
	}
}

func TestNoRouteAndNoBackend(t *testing.T) {
	rt := New(Config{})
	rt.Update([]Route{{Service: "invoice", Path: "/invoice"}})
	if code, body := get(t, rt, "x", "/nope"); code != 404 || body != "404 Not Found: no service is routed here\n" {
		t.Fatalf("no route: %d %q", code, body)
	}
	if code, body := get(t, rt, "x", "/invoice"); code != 503 || body != "503 Service Unavailable: the service is unavailable\n" {
		t.Fatalf("no backend: %d %q", code, body)
	}
}

func TestBalancesAcrossInstances(t *testing.T) {
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{backendServer(t, "a", nil), backendServer(t, "b", nil), backendServer(t, "c", nil)}}})
	seen := map[string]int{}
	for range 60 {
		_, body := get(t, rt, "x", "/")
		seen[body]++
	}
	if len(seen) != 3 {
		t.Fatalf("requests went to %v, want all three instances", seen)
	}
}

func TestWeightsAndPins(t *testing.T) {
	a, b := backendServer(t, "stable", nil), backendServer(t, "canary", nil)
	a.Revision, b.Revision = 1, 2
	var n atomic.Uint64
	rt := New(Config{Rand: func() uint64 { return n.Add(1) }}) // walks the buckets in order
	rt.Update([]Route{{Service: "s", Backends: []Backend{a, b}, Weights: map[int]int{1: 90, 2: 10},
		Pin: &Pin{Header: "X-Slipway-Revision", Revisions: map[string]int{"2": 2}}}})
	seen := map[string]int{}
	for range 100 {
		_, body := get(t, rt, "x", "/")
		seen[body]++
	}
	if seen["canary"] != 10 || seen["stable"] != 90 {
		t.Fatalf("split %v, want 90/10", seen)
	}
	for range 5 {
		if _, body := get(t, rt, "x", "/", "X-Slipway-Revision", "2"); body != "canary" {
			t.Fatalf("pinned request went to %s", body)
		}
	}
}

func TestRetriesWhenAnInstanceIsGone(t *testing.T) {
	dead := backendServer(t, "dead", nil)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead.Addr = l.Addr().String()
	l.Close() // nobody listens there now
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{dead, backendServer(t, "alive", nil)}}})
	for i := range 30 {
		if code, body := get(t, rt, "x", "/"); code != 200 || body != "alive" {
			t.Fatalf("request %d: %d %q; a refused connection must be retried elsewhere", i, code, body)
		}
	}
}

func TestFailingInstanceIsEjected(t *testing.T) {
	var bad atomic.Int64
	broken := backendServer(t, "broken", func(w http.ResponseWriter, r *http.Request) {
		bad.Add(1)
		w.WriteHeader(500)
	})
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	rt := New(Config{Now: func() time.Time { return now }})
	rt.Update([]Route{{Service: "s", Backends: []Backend{broken, backendServer(t, "ok", nil)}}})
	for range 40 {
		get(t, rt, "x", "/")
	}
	if got := bad.Load(); got != ejectAfter {
		t.Fatalf("broken instance got %d requests, want %d before it is ejected", got, ejectAfter)
	}
	now = now.Add(ejectFor)
	for range 40 {
		get(t, rt, "x", "/")
	}
	if bad.Load() <= ejectAfter {
		t.Fatal("ejected instance never got a request again")
	}
}

func TestDrainWaitsForInFlight(t *testing.T) {
	release := make(chan struct{})
	slow := backendServer(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		<-release
		fmt.Fprint(w, "slow")
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{slow}}})
	done := make(chan string)
	go func() { _, body := get(t, rt, "x", "/"); done <- body }()
	for rt.InFlight("slow") == 0 {
		time.Sleep(time.Millisecond)
	}
	rt.Update([]Route{{Service: "s"}}) // out of rotation
	drained := make(chan error)
	go func() { drained <- rt.Drain(context.Background(), "slow") }()
	select {
	case <-drained:
		t.Fatal("Drain returned with a request in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if body := <-done; body != "slow" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-drained; err != nil {
		t.Fatal(err)
	}
}

func TestForwardedHeaders(t *testing.T) {
	echo := backendServer(t, "echo", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s|%s|%s", r.Host, r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Forwarded-Host"))
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{echo}}})
	_, body := get(t, rt, "shop.localhost", "/")
	if body != "shop.localhost|127.0.0.1|shop.localhost" {
		t.Fatalf("backend saw %q", body)
	}
}

func TestStreamsAsTheBackendWrites(t *testing.T) {
	next := make(chan struct{})
	stream := backendServer(t, "stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: one\n\n")
		w.(http.Flusher).Flush()
		<-next
		fmt.Fprint(w, "data: two\n\n")
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{stream}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	close(next)
	if line != "data: one\n" {
		t.Fatalf("first line %q: the router must not buffer a stream", line)
	}
}

func TestBodyLimit(t *testing.T) {
	rt := New(Config{MaxBodyBytes: 10})
	rt.Update([]Route{{Service: "s", Backends: []Backend{backendServer(t, "a", nil)}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(strings.Repeat("x", 100)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

func TestRouteTimeoutIs504(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := backendServer(t, "slow", func(w http.ResponseWriter, r *http.Request) { <-release })
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{slow}, Timeout: 50 * time.Millisecond}})
	start := time.Now()
	code, body := get(t, rt, "x", "/")
	if code != http.StatusGatewayTimeout || body != "504 Gateway Timeout: the service did not answer in time\n" {
		t.Fatalf("%d %q, want a 504", code, body)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %s: a timed-out request must not be retried", took)
	}
}

func TestRouteMaxBody(t *testing.T) {
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{backendServer(t, "a", nil)}, MaxBody: 5}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("123456"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

// TestARequestWhoseInstancesAllLeftTriesTheCurrentTable matches a route,
// then takes every one of its instances out of rotation (a promotion
// drains the whole old revision at once) before the request picks one:
// it is served by the current table, not answered 502.
func TestARequestWhoseInstancesAllLeftTriesTheCurrentTable(t *testing.T) {
	rt := New(Config{})
	old, cur := backendServer(t, "old", nil), backendServer(t, "new", nil)
	rt.Update([]Route{{Service: "s", Backends: []Backend{old}}})
	matched := rt.table.Load().match("x", "/")
	rt.Update([]Route{{Service: "s", Backends: []Backend{cur}}})
	req := httptest.NewRequest("GET", "http://x/", nil)
	resp, err := rt.roundTrip(matched, req)
	if err != nil {
		t.Fatalf("roundTrip on a route whose instances all left: %v", err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "new" {
		t.Fatalf("answered by %q, want the current table's instance", b)
	}
}
