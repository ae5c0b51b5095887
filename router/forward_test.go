package router

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// wireBackend answers by path, and echoes what it received in the body:
// the request line, the host and every header, sorted.
func wireBackend(t *testing.T) Backend {
	t.Helper()
	return backendServer(t, "wire", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		switch r.URL.Path {
		case "/hop":
			h.Set("Connection", "X-Resp-Hop")
			h.Set("X-Resp-Hop", "1")
			h.Set("Keep-Alive", "timeout=5")
			h.Set("Proxy-Authenticate", "Basic")
		case "/hop-no-connection": // hop-by-hop fields in an answer the quick parser takes
			h.Set("Keep-Alive", "timeout=5")
			h.Set("Proxy-Authenticate", "Basic")
			h.Set("Upgrade", "h2c")
			h.Set("Te", "trailers")
			h.Add("Set-Cookie", "backend=1")
		case "/hints":
			h.Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			clear(h)
		case "/trailers":
			h.Set("Trailer", "X-Sum")
			defer h.Set("X-Sum", "42")
		case "/undeclared-trailer":
			defer h.Set(http.TrailerPrefix+"X-Late", "yes")
			defer w.(http.Flusher).Flush() // chunked: a Content-Length would drop the trailer
		case "/sse":
			h.Set("Content-Type", "text/event-stream; charset=utf-8")
		case "/cookie":
			h.Add("Set-Cookie", "backend=1")
		}
		h.Add("X-Multi", "a")
		h.Add("X-Multi", "b")
		fmt.Fprintf(w, "%s %s %s\nhost=%s\n", r.Method, r.RequestURI, r.Proto, r.Host)
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range r.Header {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			fmt.Fprintf(w, "%s=%q\n", k, r.Header[k])
		}
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush()
			fmt.Fprint(w, "more\n")
		}
	})
}

// exchangeRaw sends a raw request to srv and reads every answer to it,
// informational ones first, as "status\nheaders\n\nbody\ntrailers".
// Date is left out: two runs need not fall in the same second.
func exchangeRaw(t *testing.T, srv *httptest.Server, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	method, _, _ := strings.Cut(raw, " ")
	var out strings.Builder
	for {
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
		resp.Header.Del("Date")
		fmt.Fprintf(&out, "%d\n", resp.StatusCode)
		_ = resp.Header.Write(&out)
		if resp.StatusCode < 200 {
			continue
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%q: body: %v", raw, err)
		}
		fmt.Fprintf(&out, "\n%s\n%v\n", b, resp.Trailer)
		return out.String()
	}
}

// TestFastPathForwardsAsTheReverseProxy sends the same raw requests
// through the router's fast path and through the route's
// httputil.ReverseProxy (the path every other request takes), and wants
// the instance and the client to see the same thing from both.
func TestFastPathForwardsAsTheReverseProxy(t *testing.T) {
	rt := New(Config{Rand: func() uint64 { return 7 }})
	defer rt.Close()
	wire := wireBackend(t)
	canary := wire
	canary.ID, canary.Revision = "wire-2", 2
	rt.Update([]Route{
		{Service: "s", Backends: []Backend{wire}},
		{Service: "sticky", Host: "sticky.example", Backends: []Backend{wire, canary},
			Weights: map[int]int{0: 50, 2: 50}, Sticky: &Sticky{Cookie: "bucket"}},
	})
	fast := httptest.NewServer(rt)
	defer fast.Close()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r := rt.table.Load().match(req.Host, req.URL.Path)
		rt.assignSticky(w, r, req) // as ServeHTTP does before either path
		r.proxy.ServeHTTP(w, req)
	}))
	defer proxy.Close()

	const end = "\r\n\r\n"
	for _, raw := range []string{
		"GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: curl/8" + end,
		"GET / HTTP/1.1\r\nHost: shop.example" + end, // no User-Agent: none is added
		"GET /a%2Fb/c%20d?x=1&y=%C3%A9 HTTP/1.1\r\nHost: shop.example" + end,
		"GET /q?x=1;y=2&z=%zz&ok=3 HTTP/1.1\r\nHost: shop.example" + end,
		"GET /empty? HTTP/1.1\r\nHost: shop.example" + end,
		"GET http://shop.example/abs?x=1 HTTP/1.1\r\nHost: shop.example" + end,
		"GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 300\r\n" +
			"Proxy-Authorization: Basic x\r\nProxy-Connection: keep-alive\r\nTe: gzip, trailers\r\nTrailer: X-T\r\nX-Kept: yes" + end,
		"GET / HTTP/1.1\r\nHost: shop.example\r\nTe: gzip" + end,
		"GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: X-\u017fig\r\nX-Sig: 1\r\nTe: trailer\u017f" + end, // not ASCII: no token
		"GET / HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Host: evil\r\n" +
			"X-Forwarded-Proto: https\r\nForwarded: for=10.0.0.1" + end,
		"GET / HTTP/1.1\r\nHost: shop.example\r\nAccept: a\r\nAccept: b\r\nCookie: a=1\r\nCookie: b=2\r\nContent-Length: 0" + end,
		"GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: close" + end,
		"GET / HTTP/1.0" + end, // no Host: the instance's address stands in
		"HEAD / HTTP/1.1\r\nHost: shop.example" + end,
		"OPTIONS * HTTP/1.1\r\nHost: shop.example" + end,
		"OPTIONS /x HTTP/1.1\r\nHost: [::1]:8080" + end,
		"GET /hop HTTP/1.1\r\nHost: shop.example" + end,
		"GET /hints HTTP/1.1\r\nHost: shop.example" + end,
		"GET /trailers HTTP/1.1\r\nHost: shop.example\r\nTe: trailers" + end,
		"GET /undeclared-trailer HTTP/1.1\r\nHost: shop.example" + end,
		"GET /sse HTTP/1.1\r\nHost: shop.example" + end,
		"GET /chunked HTTP/1.1\r\nHost: shop.example" + end,
		"GET /cookie HTTP/1.1\r\nHost: shop.example" + end,
		"GET /hop-no-connection HTTP/1.1\r\nHost: shop.example" + end,
		"GET /cookie HTTP/1.1\r\nHost: sticky.example" + end, // our Set-Cookie and the instance's
		"GET /hop-no-connection HTTP/1.1\r\nHost: sticky.example" + end,
		"GET /hints HTTP/1.1\r\nHost: sticky.example\r\nCookie: bucket=10" + end,
	} {
		got, want := exchangeRaw(t, fast, raw), exchangeRaw(t, proxy, raw)
		if got != want {
			t.Errorf("%q\nfast path:\n%s\nreverse proxy:\n%s", raw, got, want)
		}
	}
}

// TestEarlyHintsKeepTheStickyCookie: a 103 carries the instance's hints
// only, and the final answer still sets the user's sticky bucket.
func TestEarlyHintsKeepTheStickyCookie(t *testing.T) {
	be := backendServer(t, "hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		fmt.Fprint(w, "ok")
	})
	rt := New(Config{})
	defer rt.Close()
	r := canaryRoute(t, 50, &Sticky{Cookie: "bucket"})
	for i := range r.Backends {
		r.Backends[i].Addr = be.Addr
	}
	rt.Update([]Route{r})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	got := exchangeRaw(t, srv, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	hints, final, _ := strings.Cut(got, "\n200\n")
	if !strings.Contains(hints, "Link:") || strings.Contains(hints, "Set-Cookie") {
		t.Errorf("103 answer:\n%s\nwant the Link hint only", hints)
	}
	if !strings.Contains(final, "Set-Cookie: bucket=") || strings.Contains(final, "Link:") {
		t.Errorf("final answer:\n%s\nwant the sticky cookie and no hint", final)
	}
}

// TestCutAnswerIsNeverComplete: an instance that dies mid-body must not
// look, to the client, like one that finished its answer.
func TestCutAnswerIsNeverComplete(t *testing.T) {
	for _, head := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nonly ten b\r\n",
	} {
		addr := rawBackend(t, func(c net.Conn) {
			if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
				io.WriteString(c, head)
			}
		})
		rt := New(Config{})
		rt.Update([]Route{{Service: "s", Backends: []Backend{{ID: "cut", Addr: addr}}}})
		srv := httptest.NewServer(rt)
		resp, err := http.Get(srv.URL)
		if err == nil { // the headers may have gone out before the cut
			var b []byte
			b, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil {
				t.Errorf("answer %q read to a clean end; the cut must show", b)
			}
		}
		srv.Close()
		if n := rt.InFlight("cut"); n != 0 {
			t.Errorf("in flight %d", n)
		}
		rt.Close()
	}
}
