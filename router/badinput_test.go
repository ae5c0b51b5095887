package router

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router/front"
)

// badRaw is one raw request the router must refuse: the bytes sent, the
// status of the answer and words of its body. The backend must see
// nothing of it.
type badRaw struct {
	name, raw string
	status    int
	want      string
}

// big is a header line past the server's 64 KiB limit.
var big = "X-Big: " + strings.Repeat("a", 70<<10) + "\r\n"

// badRaws is the catalogue of raw requests the router refuses. Most
// are refused by net/http's server (the front hands over any request it
// does not take), whose 400 says no more than "Bad Request"; what the
// router answers itself says why. Left out, as net/http serves them:
// an obs-folded header (joined) and Content-Length beside chunked (the
// chunked body is read, the length dropped).
var badRaws = []badRaw{
	{"garbage request line", "GARBAGE\r\n\r\n", 400, "Bad Request"},
	{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400, "missing required Host header"},
	{"two Host headers", "GET / HTTP/1.1\r\nHost: web.example\r\nHost: b\r\n\r\n", 400, "400 Bad Request"},
	{"header without a colon", "GET / HTTP/1.1\r\nHost: web.example\r\nNoColon\r\n\r\n", 400, "400 Bad Request"},
	{"space before the colon", "GET / HTTP/1.1\r\nHost: web.example\r\nX-A : b\r\n\r\n", 400, "400 Bad Request: invalid header name"},
	{"NUL in a header", "GET / HTTP/1.1\r\nHost: web.example\r\nX-A: b\x00c\r\n\r\n", 400, "400 Bad Request"},
	{"bad Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "malformed Host header"},
	{"bad method", "G(T / HTTP/1.1\r\nHost: web.example\r\n\r\n", 400, "400 Bad Request"},
	{"target not a path", "GET abc HTTP/1.1\r\nHost: web.example\r\n\r\n", 400, "Bad Request"},
	{"bad percent escape", "GET /%zz HTTP/1.1\r\nHost: web.example\r\n\r\n", 400, "Bad Request"},
	{"HTTP/3.0", "GET / HTTP/3.0\r\nHost: web.example\r\n\r\n", 505, "HTTP Version Not Supported"},
	{"bad version", "GET / HTTX/1.1\r\nHost: web.example\r\n\r\n", 400, "400 Bad Request"},
	{"Content-Length not a number", "POST / HTTP/1.1\r\nHost: web.example\r\nContent-Length: abc\r\n\r\n", 400, "400 Bad Request"},
	{"two Content-Lengths", "POST / HTTP/1.1\r\nHost: web.example\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, "400 Bad Request"},
	{"unknown Transfer-Encoding", "POST / HTTP/1.1\r\nHost: web.example\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Unsupported transfer encoding"},
	{"header too large", "GET / HTTP/1.1\r\nHost: web.example\r\n" + big + "\r\n", 431, "Request Header Fields Too Large"},
	{"CONNECT", "CONNECT web.example:443 HTTP/1.1\r\nHost: web.example:443\r\n\r\n", 405, "the router does not forward this method"},
	{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 405, "the router does not forward this method"},
	{"no route", "GET / HTTP/1.1\r\nHost: nothing.example\r\n\r\n", 404, "no service is routed here"},
	{"body over the route's limit", "POST /small HTTP/1.1\r\nHost: web.example\r\nContent-Length: 100\r\n\r\n" + strings.Repeat("x", 100), 413, "Request Entity Too Large"},
	{"service with no instance", "GET / HTTP/1.1\r\nHost: empty.example\r\n\r\n", 503, "the service is unavailable"},
}

// TestBadInputCatalogueRouter sends every raw request to the router as
// the server serves it (router/front in front of an http.Server) and
// checks the answer, and that the backend saw nothing.
func TestBadInputCatalogueRouter(t *testing.T) {
	var seen atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(be.Close)
	backend := Backend{ID: "web-1", Revision: 1, Addr: be.Listener.Addr().String()}
	rt := New(Config{})
	t.Cleanup(rt.Close)
	rt.Update([]Route{
		{Service: "web", Host: "web.example", Backends: []Backend{backend}},
		{Service: "small", Host: "web.example", Path: "/small", Backends: []Backend{backend}, MaxBody: 10},
		{Service: "empty", Host: "empty.example"},
	})
	addr := serveFront(t, rt)
	for _, tc := range badRaws {
		t.Run(tc.name, func(t *testing.T) {
			before := seen.Load()
			status, body := rawRequest(t, addr, tc.raw)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, body %q; want %d containing %q", status, body, tc.status, tc.want)
			}
			if n := seen.Load() - before; n != 0 {
				t.Errorf("the backend saw %d requests", n)
			}
		})
	}
	t.Logf("catalogue: router: %d bad inputs", len(badRaws))
}

// serveFront serves rt as the server does and returns its address.
func serveFront(t *testing.T, rt *Router) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fr := front.New(&http.Server{Handler: rt, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 64 << 10})
	go func() { _ = fr.Serve(ln) }()
	t.Cleanup(func() { _ = fr.Close() })
	return ln.Addr().String()
}

// rawRequest writes raw on a new connection and reads one answer.
func rawRequest(t *testing.T, addr, raw string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMethodsNotProxied sends CONNECT and HTTP/2's preface to a router
// whose one route takes every host and path: both get 405, and the
// backend sees neither (net/http hands both to the handler, which once
// forwarded them).
func TestMethodsNotProxied(t *testing.T) {
	var seen atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { seen.Add(1) }))
	t.Cleanup(be.Close)
	rt := New(Config{})
	t.Cleanup(rt.Close)
	rt.Update([]Route{{Service: "all", Backends: []Backend{{ID: "a", Revision: 1, Addr: be.Listener.Addr().String()}}}})
	addr := serveFront(t, rt)
	for _, raw := range []string{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n"} {
		if status, body := rawRequest(t, addr, raw); status != 405 || body != "405 Method Not Allowed: the router does not forward this method\n" {
			t.Errorf("%q: %d %q", raw, status, body)
		}
	}
	if status, _ := rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); status != 200 || seen.Load() != 1 {
		t.Errorf("a GET: status %d, backend saw %d requests; want 200 and exactly that one", status, seen.Load())
	}
}
