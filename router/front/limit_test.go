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
	admitted := func(c net.Conn) bool {
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		_, err := c.Read(make([]byte, 1))
		ne, ok := err.(net.Error)
		return ok && ne.Timeout() // held open, not closed
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
	(<-accepted).Close()
	if !admitted(dial("127.0.0.3")) {
		t.Fatal("a closed connection did not free its place")
	}
}
