package router

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"
)

// cannedBackend is an HTTP/1.1 instance that answers every request on a
// connection with the same bytes and allocates nothing per request, so
// that -benchmem counts the router's allocations only. It reads a
// request up to its blank line (the benchmarks send no bodies).
func cannedBackend(b *testing.B, answer string) Backend {
	addr := rawBackend(b, func(c net.Conn) { serveCanned(c, []byte(answer)) })
	return Backend{ID: "canned", Revision: 1, Addr: addr}
}

func serveCanned(c net.Conn, answer []byte) {
	br := bufio.NewReader(c)
	for {
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			if len(bytes.TrimRight(line, "\r\n")) == 0 {
				break
			}
		}
		if _, err := c.Write(answer); err != nil {
			return
		}
	}
}

// benchWriter is a ResponseWriter that keeps nothing but its header map,
// cleared between requests, so that the router's allocations show.
type benchWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *benchWriter) Header() http.Header { return w.h }
func (w *benchWriter) WriteHeader(s int)   { w.status = s }
func (w *benchWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// cannedAnswer is the bench/router backend's answer: 100 bytes, keep-alive.
const cannedAnswer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\n\r\n" +
	"hello from the bench/router backend; this body is padded to exactly one hundred bytes..............\n"

// BenchmarkFastPath measures the router's own work per request on the
// fast path (bodiless GET over a pooled connection), calling ServeHTTP
// directly: no client, no server connection, an instance that allocates
// nothing. allocs/op are the router's, and 3 of the request's own (the
// request, its copy with a context, the context); ns/op include the two loopback
// syscalls each way. The split case is a 90/10 weighted route with a
// sticky cookie already set.
//
//	go test -run '^$' -bench FastPath -benchmem ./router/
func BenchmarkFastPath(b *testing.B) {
	for _, bc := range []struct {
		name  string
		route func(Backend) Route
		hdr   http.Header
	}{
		{"plain", func(be Backend) Route { return Route{Service: "s", Backends: []Backend{be}} }, nil},
		{"split", func(be Backend) Route {
			be2 := be
			be2.ID, be2.Revision = "canned-2", 2
			return Route{Service: "s", Backends: []Backend{be, be2}, Weights: map[int]int{1: 90, 2: 10}, Sticky: &Sticky{Cookie: "b"}}
		}, http.Header{"Cookie": {"b=42"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt := New(Config{})
			defer rt.Close()
			rt.Update([]Route{bc.route(cannedBackend(b, cannedAnswer))})
			u, _ := url.Parse("/orders/1?x=1")
			w := &benchWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				ctx, cancel := context.WithCancel(context.Background()) // as net/http's server
				req := (&http.Request{Method: "GET", URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
					Header: bc.hdr.Clone(), Host: "example.com", RemoteAddr: "127.0.0.1:40000", Body: http.NoBody}).WithContext(ctx)
				if req.Header == nil {
					req.Header = http.Header{}
				}
				clear(w.h)
				rt.ServeHTTP(w, req)
				if w.status != http.StatusOK || w.n == 0 {
					b.Fatalf("status %d, %d bytes", w.status, w.n)
				}
				w.n = 0
				cancel()
			}
		})
	}
}
