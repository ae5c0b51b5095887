package front_test

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router/front"
)

// TestRequestPipelinedWhileTheHandlerRuns: a client that sends its next
// request while the last one's handler runs (its bytes in the socket
// before the answer goes out, so the wait that sends the answer, which
// begins by forgetting what the poller saw, is woken by nothing) gets it
// answered. With an idle timeout shorter than the idle release that
// wait ended the connection (a reset); with a long one it waited the
// idle release (100 ms). Once seen, the connection reads before it waits:
// the next such request is answered as soon as its handler is done.
func TestRequestPipelinedWhileTheHandlerRuns(t *testing.T) {
	for _, tc := range []struct {
		name string
		tls  bool
		idle time.Duration
	}{
		{"plain", false, time.Minute},
		{"plain, idle timeout 80ms", false, 80 * time.Millisecond},
		{"TLS", true, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, slowStarted := pipelineServer(t, tc.tls, tc.idle)
			br := bufio.NewReader(c)
			pipelineWhileSlow(t, c, br, slowStarted) // the first: seen as missed, answered
			start := time.Now()
			pipelineWhileSlow(t, c, br, slowStarted) // the next: read first
			// The handler takes 30 ms; a wait for the idle release would
			// add 100 ms more.
			if el := time.Since(start); el > 110*time.Millisecond {
				t.Errorf("a request pipelined during a 30 ms handler, on a connection seen pipelining, answered after %v", el)
			}
		})
	}
}

// pipelineServer serves /slow in 30 ms and anything else at once, and
// returns a client connection to it and the channel on which each /slow
// says its handler runs.
func pipelineServer(t *testing.T, overTLS bool, idle time.Duration) (net.Conn, <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 8)
	s := front.New(&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			started <- struct{}{}
			time.Sleep(30 * time.Millisecond) // the handler's work: /fast comes meanwhile
		}
		_, _ = io.WriteString(w, r.URL.Path)
	}), IdleTimeout: idle, ReadHeaderTimeout: 10 * time.Second})
	t.Cleanup(func() { _ = s.Close() })
	var c net.Conn
	if overTLS {
		go func() { _ = s.ServeTLS(ln, serverTLS(t)) }()
		c, err = tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
	} else {
		go func() { _ = s.Serve(ln) }()
		c, err = net.Dial("tcp", ln.Addr().String())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, started
}

// pipelineWhileSlow sends /slow, then /fast while /slow's handler runs,
// and reads both answers in order.
func pipelineWhileSlow(t *testing.T, c net.Conn, br *bufio.Reader, slowStarted <-chan struct{}) {
	t.Helper()
	if _, err := io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	<-slowStarted
	if _, err := io.WriteString(c, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/slow", "/fast"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer to %s: %v", want, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(body) != want {
			t.Fatalf("answer to %s: %q, %v", want, body, err)
		}
	}
}
