package turn

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// pair is a connected loopback TCP pair: a is the side under test.
func pair(t testing.TB) (a, b *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

func socket(t testing.TB, c *net.TCPConn) *Socket {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return NewSocket(rc)
}

func TestWriteReadWaitsForTheAnswer(t *testing.T) {
	a, b := pair(t)
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 5)
		_, _ = io.ReadFull(b, buf)
		got <- buf
		time.Sleep(20 * time.Millisecond) // the answer comes well after the write
		_, _ = b.Write([]byte("world"))
	}()
	sentCalls := 0
	p := make([]byte, 64)
	w, n, err := socket(t, a).WriteRead([]byte("hello"), p, func() { sentCalls++ })
	if err != nil || w != 5 || string(p[:n]) != "world" {
		t.Fatalf("WriteRead = %d, %q, %v; want 5, \"world\", nil", w, p[:n], err)
	}
	if s := <-got; string(s) != "hello" {
		t.Fatalf("peer read %q", s)
	}
	if sentCalls != 1 {
		t.Fatalf("sent called %d times, want once", sentCalls)
	}
}

// TestWriteReadSeesAnAnswerFasterThanTheWait: an answer that comes at
// once, maybe before WriteRead parks, is read, never waited past.
func TestWriteReadSeesAnAnswerFasterThanTheWait(t *testing.T) {
	a, b := pair(t)
	go func() {
		buf := make([]byte, 1)
		for {
			if _, err := b.Read(buf); err != nil {
				return
			}
			_, _ = b.Write(buf) // echo at once, byte by byte
		}
	}()
	s := socket(t, a)
	for i := range 200 {
		p := make([]byte, 1)
		_ = a.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, n, err := s.WriteRead([]byte{byte(i)}, p, nil)
		if err != nil || n != 1 || p[0] != byte(i) {
			t.Fatalf("turn %d: %d %v %v", i, n, p, err)
		}
	}
}

// TestWriteReadAllocatesNothing: a turn is on every request of the
// router's fast path and of its front's keep-alive connections.
func TestWriteReadAllocatesNothing(t *testing.T) {
	a, peer := pair(t)
	go func() { _, _ = io.Copy(peer, peer) }()
	s := socket(t, a)
	msg, p := []byte("ping"), make([]byte, 64)
	sent := func() {}
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := s.WriteRead(msg, p, sent); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("WriteRead allocates %v times a call, want none", allocs)
	}
}

func TestWriteReadHonoursTheReadDeadline(t *testing.T) {
	a, _ := pair(t)
	_ = a.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	w, n, err := socket(t, a).WriteRead([]byte("x"), make([]byte, 8), nil)
	if w != 1 || n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WriteRead = %d, %d, %v; want 1, 0, a deadline error", w, n, err)
	}
}

// TestWriteReadPastTheDeadlineWritesNothing: a deadline passed already
// fails the call before the write, which the caller still has to do.
func TestWriteReadPastTheDeadlineWritesNothing(t *testing.T) {
	a, b := pair(t)
	_ = a.SetReadDeadline(time.Now().Add(-time.Second))
	w, _, err := socket(t, a).WriteRead([]byte("x"), make([]byte, 8), nil)
	if w != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WriteRead = %d, %v; want 0 written, a deadline error", w, err)
	}
	_ = b.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n, _ := b.Read(make([]byte, 1)); n != 0 {
		t.Fatal("the peer got bytes WriteRead said it did not write")
	}
}

func TestWriteReadEOF(t *testing.T) {
	a, b := pair(t)
	go func() {
		_, _ = io.ReadFull(b, make([]byte, 1))
		_ = b.CloseWrite()
	}()
	_, n, err := socket(t, a).WriteRead([]byte("x"), make([]byte, 8), nil)
	if n != 0 || err != io.EOF {
		t.Fatalf("WriteRead = %d, %v; want 0, io.EOF", n, err)
	}
}

func TestWriteReadClosedPeerFails(t *testing.T) {
	a, b := pair(t)
	b.SetLinger(0)
	b.Close() // a reset: nothing may be written any more
	time.Sleep(10 * time.Millisecond)
	_ = a.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, n, err := socket(t, a).WriteRead([]byte("x"), make([]byte, 8), nil)
	if n != 0 || err == nil {
		t.Fatalf("WriteRead to a reset connection = %d, %v; want an error", n, err)
	}
}

// TestWriteReadShortWrite: a peer that does not read fills the socket;
// WriteRead hands the rest back without waiting and without calling sent.
func TestWriteReadShortWrite(t *testing.T) {
	a, _ := pair(t)
	_ = a.SetWriteBuffer(4096)
	out := bytes.Repeat([]byte("x"), 64<<20)
	called := false
	w, n, err := socket(t, a).WriteRead(out, make([]byte, 8), func() { called = true })
	if err != nil || n != 0 || w == 0 || w >= len(out) || called {
		t.Fatalf("WriteRead = %d of %d, %d, %v, sent called %v; want a short write, no read, no error, sent not called", w, len(out), n, err, called)
	}
}

func TestWriteReadEndsWhenClosed(t *testing.T) {
	a, _ := pair(t)
	s := socket(t, a)
	go func() {
		time.Sleep(20 * time.Millisecond)
		a.Close()
	}()
	_, _, err := s.WriteRead([]byte("x"), make([]byte, 8), nil)
	if !errors.Is(err, net.ErrClosed) {
		t.Fatalf("WriteRead on a connection closed meanwhile: %v, want net.ErrClosed", err)
	}
}

// BenchmarkTurn is a request/response turn over loopback against an
// echoing peer: net.Conn's Write then Read, and WriteRead.
func BenchmarkTurn(b *testing.B) {
	for _, mode := range []string{"write+read", "WriteRead"} {
		b.Run(mode, func(b *testing.B) {
			a, peer := pair(b)
			go func() { _, _ = io.Copy(peer, peer) }()
			s := socket(b, a)
			msg, p := []byte("ping"), make([]byte, 64)
			for b.Loop() {
				if mode == "WriteRead" {
					if _, _, err := s.WriteRead(msg, p, nil); err != nil {
						b.Fatal(err)
					}
					continue
				}
				if _, err := a.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := a.Read(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPeek: nothing there yet is EAGAIN, a byte there is seen and left
// for the next read, a peer that closed is 0.
func TestPeek(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	one := make([]byte, 1)
	if n, err := Peek(fds[0], one); n != 0 || err != syscall.EAGAIN {
		t.Fatalf("empty: %d, %v; want EAGAIN", n, err)
	}
	if _, err := syscall.Write(fds[1], []byte("x")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if n, err := Peek(fds[0], one); n != 1 || err != nil || one[0] != 'x' {
			t.Fatalf("a byte there: %d %q, %v", n, one, err)
		}
	}
	buf := make([]byte, 2)
	if n, err := syscall.Read(fds[0], buf); n != 1 || err != nil {
		t.Fatalf("read after peeks: %d, %v; want the byte", n, err)
	}
	syscall.Close(fds[1])
	if n, err := Peek(fds[0], one); n != 0 || err != nil {
		t.Fatalf("closed: %d, %v; want 0, nil", n, err)
	}
}
