package front

import (
	"net"
	"testing"
	"time"
)

// TestLimiterAdmits checks both limits on real loopback connections: the
// per-address one refuses a client's extra connections while another
// address still gets in, the total one refuses everyone, and a closed
// connection frees its place.
func TestLimiterAdmits(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := NewLimiter(Limits{MaxConns: 3, MaxConnsPerIP: 2})
	lln := l.Listener(ln)
	defer lln.Close()
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := lln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func(from string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Skipf("dial from %s: %v", from, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	var held []net.Conn // the server's side of the admitted connections
	// admitted waits for c's fate: accepted (the listener returned it) or
	// refused (closed, so that the client reads EOF).
	admitted := func(c net.Conn) bool {
		t.Helper()
		closed := make(chan struct{})
		go func() {
			_, _ = c.Read(make([]byte, 1)) // ends at the test's cleanup when admitted
			close(closed)
		}()
		select {
		case sc := <-accepted:
			held = append(held, sc)
			return true
		case <-closed:
			return false
		case <-time.After(5 * time.Second):
			t.Fatal("the connection was neither accepted nor closed")
			return false
		}
	}
	steps := []struct {
		from string
		want bool
	}{
		{"127.0.0.1", true}, {"127.0.0.1", true}, {"127.0.0.1", false}, // per address
		{"127.0.0.2", true}, {"127.0.0.2", false}, // in all
	}
	for i, s := range steps {
		if got := admitted(dial(s.from)); got != s.want {
			t.Fatalf("step %d from %s: admitted %v, want %v", i, s.from, got, s.want)
		}
	}
	if l.Open() != 3 || l.Refused() != 2 {
		t.Fatalf("open %d refused %d, want 3 and 2", l.Open(), l.Refused())
	}
	held[0].Close()
	if !admitted(dial("127.0.0.3")) {
		t.Fatal("a closed connection did not free its place")
	}
}
