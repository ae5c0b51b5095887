package router

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWebSocketUpgradePassesThrough: an Upgrade request gets the
// backend's 101 and then a raw two-way byte stream, as WebSocket needs.
func TestWebSocketUpgradePassesThrough(t *testing.T) {
	echo := backendServer(t, "ws", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "want an upgrade", 400)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		line, _ := rw.ReadString('\n')
		fmt.Fprint(rw, "echo: "+line)
		rw.Flush()
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{echo}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprint(conn, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answer %v, %v; want 101", resp, err)
	}
	fmt.Fprint(conn, "hello\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "echo: hello\n" {
		t.Fatalf("after the upgrade got %q, %v", line, err)
	}
	if n := rt.InFlight("ws"); n != 1 {
		t.Fatalf("an open upgraded connection counts %d in flight, want 1 (drain waits for it)", n)
	}
}

func TestTrailersPassThrough(t *testing.T) {
	be := backendServer(t, "tr", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Checksum")
		io.WriteString(w, "body")
		w.Header().Set("X-Checksum", "abc")
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{be}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "body" || resp.Trailer.Get("X-Checksum") != "abc" {
		t.Fatalf("body %q trailer %v", b, resp.Trailer)
	}
}

func TestMismatchedUpgradeLeaksNothing(t *testing.T) {
	be := backendServer(t, "odd", func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
	})
	rt := New(Config{})
	rt.Update([]Route{{Service: "s", Backends: []Backend{be}}})
	code, _ := get(t, rt, "x", "/", "Upgrade", "websocket", "Connection", "Upgrade")
	if code != http.StatusBadGateway {
		t.Fatalf("status %d, want 502 for a 101 to another protocol", code)
	}
	if n := rt.InFlight("odd"); n != 0 {
		t.Fatalf("in flight %d after the request ended, want 0 (a drain would wait forever)", n)
	}
}
