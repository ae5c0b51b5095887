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

// countingBackend is a real HTTP backend that counts the connections
// made to it.
func countingBackend(t *testing.T, h http.HandlerFunc) (Backend, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return Backend{ID: "b", Addr: srv.Listener.Addr().String()}, &conns
}

// do sends one request through h and returns the response with its body
// read.
func do(t *testing.T, h http.Handler, method, path string) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest(method, srv.URL+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestFastPathConnections(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		handler   http.HandlerFunc
		wantBody  string
		wantConns int64 // after 5 requests
	}{
		{"keep-alive is reused", "GET", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hi") }, "hi", 1},
		{"Connection: close is not", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			fmt.Fprint(w, "hi")
		}, "hi", 5},
		{"HEAD has no body", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
		}, "", 1},
		{"chunked is read to its end", "GET", func(w http.ResponseWriter, r *http.Request) {
			for i := range 3 {
				fmt.Fprintf(w, "chunk%d;", i)
				w.(http.Flusher).Flush()
			}
		}, "chunk0;chunk1;chunk2;", 1},
		{"no body (204)", "GET", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, "", 1},
		{"OPTIONS", "OPTIONS", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Method) }, "OPTIONS", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, conns := countingBackend(t, tc.handler)
			rt := New(Config{})
			defer rt.Close()
			rt.Update([]Route{{Service: "s", Backends: []Backend{b}}})
			for i := range 5 {
				resp, body := do(t, rt, tc.method, "/")
				if resp.StatusCode >= 300 || body != tc.wantBody {
					t.Fatalf("request %d: %d %q, want %q", i, resp.StatusCode, body, tc.wantBody)
				}
			}
			if got := conns.Load(); got != tc.wantConns {
				t.Fatalf("%d connections to the backend, want %d", got, tc.wantConns)
			}
			if n := rt.InFlight("b"); n != 0 {
				t.Fatalf("%d in flight after the requests", n)
			}
		})
	}
}

func TestFastPathTrailers(t *testing.T) {
	b, _ := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		fmt.Fprint(w, "data")
		w.Header().Set("X-Sum", "42")
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{b}}})
	resp, body := do(t, rt, "GET", "/")
	if body != "data" || resp.Trailer.Get("X-Sum") != "42" {
		t.Fatalf("body %q trailer %v", body, resp.Trailer)
	}
}

// rawBackend is a TCP listener on loopback that serves each connection
// with serve, on its own goroutine, and closes it after: an instance
// that writes exactly the bytes a test needs, right or wrong HTTP. It
// returns the listener's address.
func rawBackend(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// closingBackend answers one request per connection, keep-alive by its
// headers, then closes the connection: every pooled connection is stale.
func closingBackend(t *testing.T) (Backend, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	addr := rawBackend(t, func(c net.Conn) {
		conns.Add(1)
		if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
		time.Sleep(10 * time.Millisecond) // close after the router pooled it
	})
	return Backend{ID: "closing", Addr: addr}, &conns
}

func TestFastPathRetriesAStalePooledConnection(t *testing.T) {
	b, conns := closingBackend(t)
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{b}}})
	for i := range 5 {
		if resp, body := do(t, rt, "GET", "/"); resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("request %d: %d %q; a stale pooled connection must be retried on a new one", i, resp.StatusCode, body)
		}
		time.Sleep(30 * time.Millisecond) // let the backend close the pooled one
	}
	if got := conns.Load(); got != 5 {
		t.Fatalf("%d connections, want one per request", got)
	}
	if st := rt.states["closing"]; st.fails.Load() != 0 {
		t.Fatalf("a stale connection counted as %d failures of the instance", st.fails.Load())
	}
}

func TestFastPathDiscardsAConnectionClosedEarly(t *testing.T) {
	b, conns := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" {
			for range 100 {
				fmt.Fprint(w, strings.Repeat("x", 1000)+"\n")
				w.(http.Flusher).Flush()
				time.Sleep(time.Millisecond)
			}
			return
		}
		fmt.Fprint(w, "hi")
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{b}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close() // the client goes away mid-stream
	for rt.InFlight("b") != 0 {
		time.Sleep(time.Millisecond) // the router notices the client left
	}
	if _, body := do(t, rt, "GET", "/"); body != "hi" {
		t.Fatalf("next request got %q", body)
	}
	if got := conns.Load(); got != 2 {
		t.Fatalf("%d connections, want 2: one closed with the stream, one new", got)
	}
}

func TestSlowPathForBodiesAndUpgrades(t *testing.T) {
	b, _ := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.Method, body)
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{b}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != "POST payload" {
		t.Fatalf("got %q", got)
	}
	tests := []struct {
		method string
		header string
		body   bool
		want   bool
	}{
		{"GET", "", false, true},
		{"HEAD", "", false, true},
		{"POST", "", false, false},
		{"GET", "", true, false},
		{"GET", "Upgrade", false, false},
		{"GET", "Expect", false, false},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, "/", nil)
		req.Body = nil
		if tc.body {
			req.Body = io.NopCloser(strings.NewReader("x"))
		}
		if tc.header != "" {
			req.Header.Set(tc.header, "x")
		}
		if got := fastPathOK(req); got != tc.want {
			t.Errorf("fastPathOK(%s, header %q, body %v) = %v", tc.method, tc.header, tc.body, got)
		}
	}
}

// TestIdleConnectionThatSpokeIsNotReused: bytes an instance wrote on an
// idle connection (a 408 on its idle timeout) must not become the next
// request's answer.
func TestIdleConnectionThatSpokeIsNotReused(t *testing.T) {
	addr := rawBackend(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		time.Sleep(50 * time.Millisecond)
		io.WriteString(c, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		time.Sleep(time.Second)
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{{ID: "a", Addr: addr}}}})
	for i := range 3 {
		code, body := get(t, rt, "x", "/")
		if code != 200 || body != "ok" {
			t.Fatalf("request %d: %d %q; a stale answer was read from a pooled connection", i, code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBodyAfterABodilessAnswerIsNotTheNextAnswer: an instance that
// follows a HEAD's answer with a body (a common bug) leaves bytes that
// must not become the next request's answer, however soon it comes
// (the pool looks at such a connection whatever its time idle).
func TestBodyAfterABodilessAnswerIsNotTheNextAnswer(t *testing.T) {
	strayOut := make(chan struct{}, 16)
	addr := rawBackend(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if req.Method != http.MethodHead {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				continue
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
			time.Sleep(200 * time.Microsecond)                                     // after the router read the answer
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale") // the body HEAD has none of
			strayOut <- struct{}{}
		}
	})
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{{ID: "a", Addr: addr}}}})
	for i := range 20 {
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest(http.MethodHead, "/", nil))
		<-strayOut // in the router's socket now: the next request comes at once
		w = httptest.NewRecorder()
		rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if w.Code != 200 || w.Body.String() != "ok" {
			t.Fatalf("round %d: GET after HEAD got %d %q; the bytes after the HEAD's answer were read as its answer", i, w.Code, w.Body.String())
		}
	}
}

func TestLeavingInstanceKeepsNoIdleConnection(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			conns.Add(1)
		case http.StateClosed, http.StateHijacked:
			conns.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{{ID: "a", Addr: srv.Listener.Addr().String()}}}})
	get(t, rt, "x", "/")
	rt.Update(nil)
	if err := rt.Drain(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for conns.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("%d connections to a drained instance still open", n)
	}
}

func TestHugeResponseHeadersAreRefused(t *testing.T) {
	big := backendServer(t, "big", func(w http.ResponseWriter, r *http.Request) {
		for i := range 300 {
			w.Header().Set(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("x", 4000))
		}
		io.WriteString(w, "ok")
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{big}}})
	if code, _ := get(t, rt, "x", "/"); code != http.StatusBadGateway {
		t.Fatalf("status %d for 1.2 MB of response headers, want 502", code)
	}
	if n := rt.InFlight("big"); n != 0 {
		t.Fatalf("in flight %d", n)
	}
}

// TestSlowAnswersOutliveTheEarlyDeadline: an answer slower than
// watchAfter, in its headers or its body, arrives whole.
func TestSlowAnswersOutliveTheEarlyDeadline(t *testing.T) {
	slow := 3 * watchAfter
	b, conns := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/headers" {
			time.Sleep(slow)
		}
		fmt.Fprint(w, "part1;")
		w.(http.Flusher).Flush()
		if r.URL.Path == "/body" {
			time.Sleep(slow)
		}
		fmt.Fprint(w, "part2")
	})
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{b}}})
	for _, path := range []string{"/headers", "/body", "/headers", "/"} {
		resp, body := do(t, rt, "GET", path)
		if resp.StatusCode != 200 || body != "part1;part2" {
			t.Fatalf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	if got := conns.Load(); got != 1 {
		t.Fatalf("%d connections, want 1: a slow answer keeps its connection", got)
	}
}

// TestClientLeavingEndsTheExchange: a client that goes away while the
// instance works on its request has the instance's connection closed
// soon after (within 1.5 watchAfter and a bit), not at the route's timeout.
func TestClientLeavingEndsTheExchange(t *testing.T) {
	for _, path := range []string{"/headers", "/body"} {
		t.Run(path, func(t *testing.T) {
			got, gone := make(chan struct{}), make(chan struct{})
			b, _ := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
				close(got)
				if r.URL.Path == "/body" {
					fmt.Fprint(w, "started")
					w.(http.Flusher).Flush()
				}
				select {
				case <-r.Context().Done(): // the router closed the connection
					close(gone)
				case <-time.After(10 * time.Second): // so that a failing test ends
				}
			})
			rt := New(Config{})
			defer rt.Close()
			rt.Update([]Route{{Service: "s", Backends: []Backend{b}}})
			srv := httptest.NewServer(rt)
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
			go func() {
				<-got
				cancel()
			}()
			if resp, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			select {
			case <-gone:
			case <-time.After(10 * time.Second):
				t.Fatal("the instance's connection outlived its client by 10s")
			}
			for rt.InFlight("b") != 0 {
				time.Sleep(time.Millisecond)
			}
		})
	}
}

// TestRouteTimeoutShorterThanTheEarlyDeadline: a route timeout below
// watchAfter still answers 504 on time.
func TestRouteTimeoutShorterThanTheEarlyDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	slow := backendServer(t, "slow", func(w http.ResponseWriter, r *http.Request) { <-release })
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{slow}, Timeout: watchAfter / 4}})
	if code, _ := get(t, rt, "x", "/"); code != http.StatusGatewayTimeout {
		t.Fatalf("status %d, want 504", code)
	}
}
