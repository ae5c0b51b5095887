package front

// The held answer: the last answer on a keep-alive connection is kept
// (outWriter) and sent from inside the wait for the next request
// (rawReader, turn.Socket.WriteRead), one system call fewer than a
// write then a read.

import (
	"net"

	"github.com/slipway-dev/slipway/internal/turn"
)

// rawReader reads the connection for the front's bufio.Reader: first
// the byte a background read took, then the error it met, then the
// connection. An answer held in out is sent before, with the wait for
// the next request (turn.Socket.WriteRead), and then sent is called.
type rawReader struct {
	conn net.Conn
	one  [1]byte
	has  bool
	err  error

	sock    *turn.Socket // conn's socket; nil when it has none
	out     *outWriter
	sent    func()    // marks the connection waiting, once its answer is out
	waiting connState // what sent marks it
}

func (r *rawReader) Read(p []byte) (int, error) {
	switch {
	case len(p) == 0:
		return 0, nil
	case len(r.out.held) > 0 && !r.has && r.err == nil:
		return r.sendAndRead(p)
	}
	if err := r.out.flush(); err != nil {
		return 0, err
	}
	switch {
	case r.has:
		r.has = false
		p[0] = r.one[0]
		return 1, nil
	case r.err != nil:
		return 0, r.err
	}
	return r.conn.Read(p)
}

// sendAndRead sends the held answer, then waits for the next request and
// reads its first bytes, with one system call fewer than a write then a
// read. What the socket did not take at once is written as usual.
func (r *rawReader) sendAndRead(p []byte) (int, error) {
	held := r.out.held
	r.out.held = nil
	return sendAndRead(r.sock, r.conn, held, p, r.sent)
}

// sendAndRead writes held to the socket beneath conn and reads the next
// bytes into p in one wait (turn.Socket.WriteRead); what the socket did
// not take at once goes through conn's Write, which waits, and then
// conn's Read reads. sent is called once held is all out.
func sendAndRead(sock *turn.Socket, conn net.Conn, held, p []byte, sent func()) (int, error) {
	written, n, err := sock.WriteRead(held, p, sent)
	if written == len(held) {
		return n, err
	}
	if _, werr := conn.Write(held[written:]); werr != nil {
		return 0, werr
	}
	sent()
	if err != nil {
		return 0, err // the wait failed before the write (its deadline passed)
	}
	return conn.Read(p)
}

// outWriter is what the connection's bufio.Writer flushes to: the
// connection, but for the last flush of an answer on a keep-alive
// connection (hold), which it keeps for rawReader to send with the wait
// for the next request. What it keeps is the bufio.Writer's own buffer,
// which is written again only for the next answer, after it was sent.
type outWriter struct {
	conn  net.Conn
	hold  bool
	held  []byte
	under *heldConn // over TLS: the socket beneath crypto/tls, which holds the sealed answer instead
}

func (o *outWriter) Write(p []byte) (int, error) {
	switch {
	case o.hold && o.under != nil:
		o.under.hold = true
		n, err := o.conn.Write(p)
		o.under.hold = false
		return n, err
	case o.hold:
		o.held = p
		return len(p), nil
	}
	return o.conn.Write(p)
}

// holding reports whether an answer is held, here or beneath TLS.
func (o *outWriter) holding() bool {
	return len(o.held) > 0 || o.under != nil && len(o.under.held) > 0
}

// flushAll writes what is held, here and beneath TLS.
func (o *outWriter) flushAll() error {
	if err := o.flush(); err != nil || o.under == nil {
		return err
	}
	return o.under.flush()
}

// flush writes what is held, if anything.
func (o *outWriter) flush() error {
	if len(o.held) == 0 {
		return nil
	}
	held := o.held
	o.held = nil
	_, err := o.conn.Write(held)
	return err
}
