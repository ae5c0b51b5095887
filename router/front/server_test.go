package front_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/router/front"
)

// backendServer is a real HTTP instance serving h.
func backendServer(t *testing.T, name string, h http.HandlerFunc) router.Backend {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return router.Backend{ID: name, Addr: srv.Listener.Addr().String()}
}

// frontBackend answers with what it was sent, and a few answers of
// every shape: long, streamed, with trailers, 1xx, no body, an upgrade.
func frontBackend(t *testing.T) router.Backend {
	t.Helper()
	return backendServer(t, "front", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		switch r.URL.Path {
		case "/ws":
			upgradeEcho(w, r)
			return
		case "/big":
			h.Set("Content-Type", "text/plain")
			fmt.Fprint(w, strings.Repeat("0123456789", 500))
			return
		case "/stream":
			h.Set("Content-Type", "text/event-stream")
			for i := range 3 {
				fmt.Fprintf(w, "data: %d\n\n", i)
				w.(http.Flusher).Flush()
			}
			return
		case "/trailers":
			h.Set("Trailer", "X-Sum")
			defer h.Set("X-Sum", "42")
		case "/hints":
			h.Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			clear(h)
		case "/204":
			w.WriteHeader(http.StatusNoContent)
			return
		case "/304":
			h.Set("Etag", `"x"`)
			w.WriteHeader(http.StatusNotModified)
			return
		case "/close":
			h.Set("Connection", "close")
		}
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s host=%s body=%q\n", r.Method, r.RequestURI, r.Proto, r.Host, body)
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range r.Header {
				if !yield(k) {
					return
				}
			}
		}) {
			fmt.Fprintf(w, "%s=%q\n", k, r.Header[k])
		}
	})
}

// upgradeEcho switches to a line echo protocol.
func upgradeEcho(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Upgrade") != "echo" {
		http.Error(w, "want Upgrade: echo", http.StatusBadRequest)
		return
	}
	c, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer c.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	brw.Flush()
	line, _ := brw.ReadString('\n')
	brw.WriteString("echo: " + line)
	brw.Flush()
}

// frontServers serves one router both ways: with net/http alone, and
// with the front.
func frontServers(t *testing.T) (std, once, fronted string) {
	return frontServersOver(t, nil)
}

// frontServersOver serves one router both ways, over TLS with conf
// when not nil: net/http's ServeTLS, and the front's; their addresses
// then start with "tls://" (transcript).
func frontServersOver(t *testing.T, conf *tls.Config) (std, once, fronted string) {
	t.Helper()
	rt := router.New(router.Config{})
	t.Cleanup(rt.Close)
	rt.Update([]router.Route{
		{Service: "none", Host: "none.localhost", Path: "/"},
		{Service: "app", Path: "/", Backends: []router.Backend{frontBackend(t)}},
	})
	serve := func(withFront, keepAlive bool) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: rt, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
			MaxHeaderBytes: 64 << 10, ErrorLog: nil}
		addr := ln.Addr().String()
		if conf != nil {
			addr = "tls://" + addr
		}
		if !withFront {
			srv.SetKeepAlivesEnabled(keepAlive)
			if conf != nil {
				srv.TLSConfig = conf.Clone()
				go func() { _ = srv.ServeTLS(ln, "", "") }()
			} else {
				go func() { _ = srv.Serve(ln) }()
			}
			t.Cleanup(func() { _ = srv.Close() })
			return addr
		}
		f := front.New(srv)
		if conf != nil {
			go func() { _ = f.ServeTLS(ln, conf.Clone()) }()
		} else {
			go func() { _ = f.Serve(ln) }()
		}
		t.Cleanup(func() { _ = f.Close() })
		return addr
	}
	return serve(false, true), serve(false, false), serve(true, true)
}

// expectedTranscript is what the front is to answer to parts: net/http's
// answers (std), except that a connection the front hands to net/http
// serves that one request and closes (as once: net/http without
// keep-alive), where net/http alone would keep it.
func expectedTranscript(t *testing.T, std, once string, parts []string) string {
	h := slices.IndexFunc(parts, front.HandedOff)
	if h < 0 {
		return transcript(t, std, parts)
	}
	if h == 0 {
		return transcript(t, once, parts)
	}
	before := transcript(t, std, parts[:h])
	before = strings.TrimSuffix(strings.TrimSuffix(before, "open"), "reset") // the connection's end: once's
	return before + transcript(t, once, parts[h:])
}

// TestFrontAnswersAsNetHTTP sends the same bytes to a server with the
// front and to one without, and wants the same answers (but that a
// connection handed to net/http serves one request: expectedTranscript), the same
// connection ends, the same requests at the instance: keep-alive,
// pipelining, HTTP/1.0, Connection: close, HEAD, a POST and an upgrade
// handed off after fast-path requests, smuggling attempts and malformed
// requests (handed off, so that net/http refuses them).
func TestFrontAnswersAsNetHTTP(t *testing.T) {
	std, once, fronted := frontServers(t)
	differential(t, std, once, fronted)
}

// TestFrontAnswersAsNetHTTPOverTLS is TestFrontAnswersAsNetHTTP over
// TLS (HTTP/1.1 by ALPN): the front against net/http's ServeTLS, the
// same answers, the instance seeing the same forwarded fields
// (X-Forwarded-Proto https, from req.TLS, on the fast path and handed
// off alike).
func TestFrontAnswersAsNetHTTPOverTLS(t *testing.T) {
	std, once, fronted := frontServersOver(t, serverTLS(t))
	differential(t, std, once, fronted)
}

// differential runs the differential cases against the three servers.
func differential(t *testing.T, std, once, fronted string) {
	get := func(path string, fields ...string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: app.localhost\r\n" + strings.Join(fields, "") + "\r\n"
	}
	big := "X-Big: " + strings.Repeat("b", 5000) + "\r\n"
	huge := "X-Huge: " + strings.Repeat("h", 100<<10) + "\r\n"
	tests := []struct {
		name  string
		parts []string // written one after the other, the answers read in between
	}{
		{"keep-alive", []string{get("/a"), get("/b?x=1", "Accept: */*\r\n")}},
		{"pipelined", []string{get("/a") + get("/b") + get("/c")}},
		{"pipelined close", []string{get("/a") + get("/b", "Connection: close\r\n") + get("/never")}},
		{"connection close", []string{get("/a", "Connection: close\r\n"), get("/never")}},
		{"backend closes", []string{get("/close"), get("/b")}},
		{"http/1.0", []string{"GET /a HTTP/1.0\r\n\r\n", get("/never")}},
		{"http/1.0 keep-alive", []string{"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"}},
		{"http/1.0 keep-alive and close", []string{"GET /a HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", get("/b")}},
		{"http/1.0 keep-alive after a token", []string{"GET /a HTTP/1.0\r\nConnection: x keep-alive\r\n\r\n", "GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"}},
		{"http/1.0 keep-alive in a second field", []string{"GET /a HTTP/1.0\r\nConnection: x\r\nConnection: keep-alive\r\n\r\n", "GET /b HTTP/1.0\r\n\r\n"}},
		{"http/1.0 kelvin keep-alive", []string{"GET /a HTTP/1.0\r\nConnection: \u212Aeep-alive\r\n\r\n", "GET /b HTTP/1.0\r\n\r\n"}},
		{"close after a token", []string{get("/a", "Connection: x close\r\n"), get("/b")}},
		{"long-s close", []string{get("/a", "Connection: clo\u017Fe\r\n"), get("/b")}},
		{"http/1.0 big", []string{"GET /big HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", get("/never")}},
		{"head", []string{"HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n", get("/after")}},
		{"options", []string{"OPTIONS /a HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"}},
		{"big", []string{get("/big"), get("/b")}},
		{"stream", []string{get("/stream"), get("/b")}},
		{"trailers", []string{get("/trailers", "Te: trailers\r\n"), get("/b")}},
		{"early hints", []string{get("/hints"), get("/b")}},
		{"no content", []string{get("/204"), get("/304"), get("/b")}},
		{"no instance", []string{"GET / HTTP/1.1\r\nHost: none.localhost\r\n\r\n", get("/b")}},
		{"forwarded fields", []string{get("/a", "X-Forwarded-For: 1.2.3.4\r\nForwarded: for=x\r\nConnection: X-Drop\r\nX-Drop: 1\r\nPragma: no-cache\r\n")}},
		{"post after gets", []string{get("/a"), get("/b"), "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", get("/c")}},
		{"upgrade after get", []string{get("/a"), get("/ws", "Upgrade: echo\r\nConnection: Upgrade\r\n"), "hi\n"}},
		{"large head", []string{get("/a", big), get("/b")}},
		{"head too large", []string{get("/a"), get("/b", huge)}},
		{"duplicate cl", []string{get("/a", "Content-Length: 0\r\nContent-Length: 5\r\n") + "hello"}},
		{"te in http/1.0", []string{"GET /a HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"}},
		{"space before colon", []string{get("/a", "Content-Length : 5\r\n") + "hello"}},
		{"obs-fold", []string{get("/a", "X-A: 1\r\n 2\r\n")}},
		{"bare lf", []string{"GET /a HTTP/1.1\nHost: x\n\n"}},
		{"no host", []string{"GET /a HTTP/1.1\r\n\r\n"}},
		{"two hosts", []string{"GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"}},
		{"get with body", []string{get("/a", "Content-Length: 5\r\n") + "hello" + get("/b")}},
		{"expect", []string{get("/a", "Expect: 100-continue\r\n")}},
		{"bad version", []string{"GET /a HTTP/1.2\r\nHost: x\r\n\r\n"}},
		{"garbage", []string{get("/a"), "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n"}},
		{"nul in value", []string{get("/a", "X-A: a\x00b\r\n")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := expectedTranscript(t, std, once, tc.parts)
			got := transcript(t, fronted, tc.parts)
			if got != want {
				t.Errorf("front:\n%s\nnet/http:\n%s", got, want)
			}
		})
	}
}

var requestLineRE = regexp.MustCompile(`(?m)^([A-Z]+) \S+ HTTP/1\.\d\r?$`)

// transcript writes parts to addr one by one, waiting a little after
// each, and returns every answer read, in order, with how the
// connection ended: "closed" or "open".
func transcript(t *testing.T, addr string, parts []string) string {
	t.Helper()
	c, err := dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var got bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(time.Duration(len(parts))*150*time.Millisecond + 500*time.Millisecond))
		_, err := io.Copy(&got, c)
		done <- err
	}()
	var methods []string
	for _, p := range parts {
		for _, m := range requestLineRE.FindAllStringSubmatch(p, -1) {
			methods = append(methods, m[1])
		}
		if _, err := io.WriteString(c, p); err != nil {
			break // the server closed
		}
		time.Sleep(150 * time.Millisecond)
	}
	end := "closed"
	if err := <-done; err != nil {
		end = "open"
		if !errors.Is(err, ErrDeadline) {
			end = "reset"
		}
	}
	return describeAnswers(got.Bytes(), methods) + end
}

// dial connects to addr: over TLS (HTTP/1.1 by ALPN, the test's
// certificate trusted) when it starts with "tls://".
func dial(addr string) (net.Conn, error) {
	if a, ok := strings.CutPrefix(addr, "tls://"); ok {
		return tls.Dial("tcp", a, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}}) //nolint:gosec // the test's own certificate
	}
	return net.Dial("tcp", addr)
}

// ErrDeadline is the read deadline's error.
var ErrDeadline = context.DeadlineExceeded

// describeAnswers renders the answers in b, read as answers to requests
// with the given methods; after a 101 the rest is the new protocol's.
func describeAnswers(b []byte, methods []string) string {
	br := bufio.NewReader(bytes.NewReader(b))
	var out strings.Builder
	for i := 0; ; {
		if _, err := br.Peek(1); err != nil {
			return out.String()
		}
		method := "GET"
		if i < len(methods) {
			method = methods[i]
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			rest, _ := io.ReadAll(br)
			fmt.Fprintf(&out, "unreadable answer: %v: %q\n", err, rest)
			return out.String()
		}
		resp.Header.Del("Date")
		fmt.Fprintf(&out, "%s %d cl=%d te=%v close=%v\n", resp.Proto, resp.StatusCode, resp.ContentLength, resp.TransferEncoding, resp.Close)
		_ = resp.Header.Write(&out)
		if resp.StatusCode == http.StatusSwitchingProtocols {
			rest, _ := io.ReadAll(br)
			fmt.Fprintf(&out, "switched: %q\n", rest)
			return out.String()
		}
		if resp.StatusCode < 200 {
			continue
		}
		body, err := io.ReadAll(resp.Body)
		fmt.Fprintf(&out, "\n%s\nerr=%v trailer=%v\n", body, err, resp.Trailer)
		i++
	}
}

// TestFrontClientLeavingEndsTheRequest: a client that leaves while its
// request waits on a slow instance cancels the request there, as with
// net/http (the front watches the connection once the fast path waits).
func TestFrontClientLeavingEndsTheRequest(t *testing.T) {
	canceled := make(chan struct{})
	b := backendServer(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			close(canceled)
		case <-time.After(10 * time.Second):
		}
	})
	rt := router.New(router.Config{})
	t.Cleanup(rt.Close)
	rt.Update([]router.Route{{Service: "slow", Path: "/", Backends: []router.Backend{b}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := front.New(&http.Server{Handler: rt})
	go func() { _ = f.Serve(ln) }()
	t.Cleanup(func() { _ = f.Close() })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond) // past watchAfter: the front watches the connection
	c.Close()
	select {
	case <-canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("the instance's request went on after the client left")
	}
}

// TestFrontShutdown: Shutdown closes idle connections at once, lets a
// request in flight finish (its answer closes the connection), and
// shuts the handed-off connections down with net/http's server.
func TestFrontShutdown(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	b := backendServer(t, "held", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/held" {
			<-release
		}
		io.WriteString(w, "done")
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the backend closes
	rt := router.New(router.Config{})
	t.Cleanup(rt.Close)
	rt.Update([]router.Route{{Service: "held", Path: "/", Backends: []router.Backend{b}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := front.New(&http.Server{Handler: rt})
	served := make(chan error, 1)
	go func() { served <- f.Serve(ln) }()
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	idle, idleR := dial()
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(idleR, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("idle connection's request: %v", err)
	}
	_, _ = io.ReadAll(resp.Body)
	busy, busyR := dial()
	io.WriteString(busy, "GET /held HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)

	shut := make(chan error, 1)
	go func() { shut <- f.Shutdown(context.Background()) }()
	_ = idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := idleR.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v, want it closed", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned with a request in flight: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	once.Do(func() { close(release) })
	resp, err = http.ReadResponse(busyR, nil)
	if err != nil || resp.StatusCode != 200 || !resp.Close {
		t.Fatalf("request in flight: %v %+v, want a 200 that closes", err, resp)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
}
