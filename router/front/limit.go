package front

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// Limits bound the client connections a server holds open, so that a
// flood of idle connections cannot take every file descriptor of the
// process (and with them the API's, the store's and the health checks').
type Limits struct {
	// MaxConns bounds the connections open at once over every listener
	// of the Limiter; 0 means no bound.
	MaxConns int
	// MaxConnsPerIP bounds one client address's; 0 means no bound. On
	// loopback every client shares an address: leave it 0 there.
	MaxConnsPerIP int
}

// Limiter admits client connections within Limits. One Limiter may
// serve several listeners (the router of each environment): they share
// the process's descriptors.
//
// When every place is taken, a Server serving the listener first closes
// one of its idle connections (one that sent no request yet, else one
// waiting between requests) to make room for the new one, as nginx
// reuses its idle connections: a flood of idle connections then cannot
// keep a new client out. A connection over a limit otherwise (its
// address's, or no idle connection to close) is accepted and closed at
// once: the client
// sees its connection closed rather than waiting in the kernel's
// backlog, and the connections behind it in the backlog (another
// client's) are still reached. That costs one descriptor for a moment;
// the server keeps a reserve for it.
type Limiter struct {
	limits  Limits
	refused atomic.Int64

	mu    sync.Mutex // guards open and perIP
	open  int
	perIP map[string]int
}

// NewLimiter returns a Limiter that enforces l.
func NewLimiter(l Limits) *Limiter {
	return &Limiter{limits: l, perIP: map[string]int{}}
}

// Listener returns ln with its connections admitted by the Limiter:
// Accept closes those over a limit and returns the next admitted one.
func (l *Limiter) Listener(ln net.Listener) net.Listener {
	return &limitListener{Listener: ln, l: l}
}

// Open returns the connections admitted and not yet closed.
func (l *Limiter) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// Refused returns how many connections were closed for a limit.
func (l *Limiter) Refused() int64 { return l.refused.Load() }

// admission is what admit makes of a connection.
type admission int

const (
	admitted   admission = iota
	overAll              // MaxConns reached
	overClient           // the client's MaxConnsPerIP reached
)

// admit counts a connection from ip in, unless it would pass a limit
// (then it counts nothing and says which).
func (l *Limiter) admit(ip string) admission {
	l.mu.Lock()
	defer l.mu.Unlock()
	if max := l.limits.MaxConnsPerIP; max > 0 && l.perIP[ip] >= max {
		return overClient
	}
	if max := l.limits.MaxConns; max > 0 && l.open >= max {
		return overAll
	}
	if l.limits.MaxConnsPerIP > 0 {
		l.perIP[ip]++
	}
	l.open++
	return admitted
}

// release counts a connection from ip out.
func (l *Limiter) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.limits.MaxConnsPerIP > 0 {
		if l.perIP[ip]--; l.perIP[ip] <= 0 {
			delete(l.perIP, ip)
		}
	}
}

// limitListener is a listener whose connections a Limiter admits.
type limitListener struct {
	net.Listener
	l *Limiter
	// reclaim, when set (by the Server serving the listener), closes an
	// idle connection of the server to make room, and reports whether
	// it did.
	reclaim func() bool
}

func (ll *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c)
		a := ll.l.admit(ip)
		if a == overAll && ll.reclaim != nil && ll.reclaim() {
			a = ll.l.admit(ip) // an idle connection made room, as nginx reuses them
		}
		if a == admitted {
			return &limitConn{Conn: c, l: ll.l, ip: ip}, nil
		}
		ll.l.refused.Add(1)
		_ = c.Close()
	}
}

// remoteIP is a connection's client address without its port.
func remoteIP(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return string(a.IP.To16())
	}
	return c.RemoteAddr().String()
}

// limitConn is an admitted connection: closing it frees its place.
type limitConn struct {
	net.Conn
	l    *Limiter
	ip   string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}

// CloseWrite half-closes the connection when it can (net/http does so
// before closing a connection after a 400).
func (c *limitConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// SyscallConn is the connection's socket, for the front's reads that
// send the last answer first (turn.Socket.WriteRead).
func (c *limitConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.New("connection has no socket")
}
