package router

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router/front"
)

// samples is an Observer that keeps what it is told.
type samples struct {
	mu  sync.Mutex
	got []Sample
}

func (s *samples) Observe(x Sample) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, x)
}

func (s *samples) errors() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.got {
		if x.Status >= 500 {
			n++
		}
	}
	return n
}

// frontRouter serves a router, as the server does (front before
// net/http), on a loopback listener, with one instance that reads the
// whole body and says how long it was.
func frontRouter(t *testing.T) (addr string, rt *Router, obs *samples) {
	t.Helper()
	be := backendServer(t, "body", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return // net/http answers the broken body itself
		}
		fmt.Fprintf(w, "got %d", len(b))
	})
	obs = &samples{}
	rt = New(Config{Observer: obs})
	rt.Update([]Route{{Service: "svc", Path: "/", Backends: []Backend{be}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fr := front.New(&http.Server{Handler: rt, ReadHeaderTimeout: 5 * time.Second})
	go fr.Serve(ln)
	t.Cleanup(func() { fr.Close(); rt.Close() })
	return ln.Addr().String(), rt, obs
}

// rawExchange writes raw on a new connection, half-closes it when
// halfClose is set, and returns all the server wrote until it closed
// the connection (or 3s passed).
func rawExchange(t *testing.T, addr, raw string, halfClose bool) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	if halfClose {
		c.(*net.TCPConn).CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, _ := io.ReadAll(c)
	return string(b)
}

// TestClientFramingErrorsAreTheClients sends requests whose bodies are
// broken by the client: each gets a 400 (or no answer), never a 502 nor
// a 200 the instance never gave, and none counts against the instance.
func TestClientFramingErrorsAreTheClients(t *testing.T) {
	cases := []struct {
		name      string
		raw       string
		halfClose bool
	}{
		{"malformed chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", false},
		{"chunk without its CRLF", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", false},
		{"truncated body, half-closed", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b", true},
		{"truncated chunked body, half-closed", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\nonly ten b", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, rt, obs := frontRouter(t)
			for range 4 { // past the ejection threshold, were it counted
				got := rawExchange(t, addr, tc.raw, tc.halfClose)
				if got != "" && !strings.HasPrefix(got, "HTTP/1.1 400 ") {
					t.Fatalf("answered %q; want a 400 or nothing", firstLine(got))
				}
			}
			if n := obs.errors(); n != 0 {
				t.Errorf("%d server errors observed for the revision", n)
			}
			if fails := rt.states["body"].fails.Load(); fails != 0 {
				t.Errorf("the instance has %d failures counted against it", fails)
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}
