package front

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// TestIdleConnectionGivesBuffersBack: a keep-alive connection idle past
// idleRelease waits without buffers, and serves its next request as
// before once it comes.
func TestIdleConnectionGivesBuffersBack(t *testing.T) {
	s, addr := serving(t, &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	}), IdleTimeout: time.Minute})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	get := func(path string) { t.Helper(); getEcho(t, c, br, path) }
	get("/a")
	waitFor(t, "the connection parked", func() bool { return s.parked.Load() == 1 })
	get("/b")
	if n := s.parked.Load(); n != 0 {
		t.Errorf("%d connections parked while the only one is served", n)
	}
	waitFor(t, "the connection parked again", func() bool { return s.parked.Load() == 1 })
	get("/c")
}

// TestWaitReadableSeesBytesThatCameBefore: bytes that arrived before the
// wait began (the poller already told of them) end it at once rather
// than at the deadline.
func TestWaitReadableSeesBytesThatCameBefore(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	// A read that finds nothing arms the poller; the byte then comes
	// while nobody waits.
	_ = server.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	_, _ = server.Read(make([]byte, 1))
	_, _ = client.Write([]byte("x"))
	time.Sleep(50 * time.Millisecond) // for the byte to arrive; not a measure
	rc, err := server.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	_ = server.SetReadDeadline(time.Now().Add(30 * time.Second)) // bounds a broken wait
	if err := waitReadable(rc); err != nil {
		t.Fatalf("wait: %v", err)
	}
	_ = server.SetReadDeadline(time.Time{})
	b := make([]byte, 1)
	if n, err := server.Read(b); n != 1 || b[0] != 'x' {
		t.Fatalf("read after the wait: %d %v", n, err)
	}
}

// waitFor polls cond for up to 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting: %s", what)
}

// TestIdleConnectionsHoldNoGoroutine: on Linux, parked connections wait
// in the server's idler (epoll), not on goroutines; they serve again
// when a request comes, and Shutdown closes them.
func TestIdleConnectionsHoldNoGoroutine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the idler is Linux's epoll")
	}
	s, addr := serving(t, &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	}), IdleTimeout: time.Minute})
	const n = 50
	before := runtime.NumGoroutine()
	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	get := func(i int, path string) { t.Helper(); getEcho(t, conns[i], readers[i], path) }
	for i := range conns {
		var err error
		if conns[i], err = net.Dial("tcp", addr); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
		readers[i] = bufio.NewReader(conns[i])
		get(i, "/a")
	}
	waitFor(t, "every connection parked", func() bool { return s.parked.Load() == n })
	if g := runtime.NumGoroutine() - before; g > 5 {
		t.Errorf("%d idle connections: %d goroutines more", n, g)
	}
	for i := range conns {
		get(i, "/b")
	}
	waitFor(t, "every connection parked again", func() bool { return s.parked.Load() == n })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for i, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("connection %d after Shutdown: %v, want EOF", i, err)
		}
	}
}

// TestParkedConnectionsTimeOut: a parked connection still ends at its
// idle timeout, and one that never sent a request at its header
// timeout.
func TestParkedConnectionsTimeOut(t *testing.T) {
	s, addr := serving(t, &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		IdleTimeout: 400 * time.Millisecond, ReadHeaderTimeout: 400 * time.Millisecond})
	kept, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	_, _ = io.WriteString(kept, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(kept)
	if resp, err := http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	for name, r := range map[string]io.Reader{"idle": br, "silent": silent} {
		c := kept
		if name == "silent" {
			c = silent
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second)) // bounds a broken test
		if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("%s connection: read %d, %v; want it closed", name, n, err)
		}
	}
	waitFor(t, "no connection parked", func() bool { return s.parked.Load() == 0 })
}

// TestCloseLetsGoOfParkedConnections: Close closes the connections the
// idler holds, and they count as parked no more.
func TestCloseLetsGoOfParkedConnections(t *testing.T) {
	s, addr := serving(t, &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		IdleTimeout: time.Minute})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	waitFor(t, "the connection parked after the idle release", func() bool { return s.parked.Load() == 1 })
	_ = s.Close()
	if n := s.parked.Load(); n != 0 {
		t.Errorf("%d connections count as parked after Close, want 0", n)
	}
}

// serving serves srv through a front on a loopback port, closed when
// the test ends, and returns the front and its address.
func serving(t *testing.T, srv *http.Server) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(srv)
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return s, ln.Addr().String()
}

// getEcho sends GET path on c and wants the echo server's answer, the
// path, read from br (c's reader).
func getEcho(t *testing.T, c io.Writer, br *bufio.Reader, path string) {
	t.Helper()
	_, _ = io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != path {
		t.Fatalf("GET %s: got %q", path, b)
	}
}
