package front_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router/front"
)

// TestFullLimiterReclaimsIdleConnections fills a front's connection
// limit with connections that send nothing: a new client is still
// served, in place of the oldest of them, which is closed.
func TestFullLimiterReclaimsIdleConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := front.NewLimiter(front.Limits{MaxConns: 3})
	fr := front.New(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "served")
	}), ReadHeaderTimeout: 10 * time.Second})
	go fr.Serve(l.Listener(ln))
	defer fr.Close()
	var idle []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	for deadline := time.Now().Add(2 * time.Second); l.Open() < 3; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections admitted, want 3", l.Open())
		}
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	got, _ := io.ReadAll(c)
	if !strings.HasSuffix(string(got), "served") {
		t.Fatalf("a new client at the limit got %q; want it served", got)
	}
	closed := 0
	for _, ic := range idle {
		_ = ic.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := ic.Read(make([]byte, 1)); err == io.EOF {
			closed++
		}
	}
	if closed != 1 || l.Refused() != 0 {
		t.Fatalf("%d idle connections closed, %d refused; want 1 closed to make room, none refused", closed, l.Refused())
	}
}
