package turn

import (
	"errors"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// Socket is a connection's socket, for WriteRead. Make one per
// connection: its WriteRead allocates nothing, where a closure over one
// call's state would escape into RawConn.Read (three allocations a call,
// on every request of the router's hot path).
type Socket struct {
	// ReadFirst, when set, makes WriteRead read once right after the
	// write, before it waits: for a peer that may send before it got the
	// answer (a client that pipelines). Unset, the first read waits for
	// the poller, as an answer cannot come before its request; but the
	// wait begins by forgetting what the poller saw before (rc.Read's
	// prepareRead), so bytes already there would wake nothing.
	ReadFirst bool
	rc        syscall.RawConn
	step      func(fd uintptr) bool // s.do, made once
	// One call's state, for do.
	out, p       []byte
	sent         func()
	wrote, short bool
	written, n   int
	err          error
}

// NewSocket returns the Socket of rc.
func NewSocket(rc syscall.RawConn) *Socket {
	s := &Socket{rc: rc}
	s.step = s.do
	return s
}

// WriteRead writes out to the socket, then waits until it is readable,
// and reads once into p (len(p) > 0). It returns how much of out was
// written and read, and the first error. It is not safe for concurrent
// use.
//
// When the socket takes only part of out without blocking (its send
// buffer is full: the peer reads slowly), WriteRead returns at once with
// written < len(out), n == 0 and a nil error: the caller writes the rest
// as it would (net.Conn.Write, which waits and honours the write
// deadline), then reads as it would. Otherwise sent, when not nil, is
// called once out is all written and before the wait: e.g. to mark a
// connection idle only once its answer is out.
//
// The wait honours the connection's read deadline and ends when it is
// closed; that error is rc.Read's (a *net.OpError). Such an error may
// come before the write (a deadline passed already): written then says
// what is still to be written. A read of zero bytes is io.EOF.
func (s *Socket) WriteRead(out, p []byte, sent func()) (written, n int, err error) {
	s.out, s.p, s.sent = out, p, sent
	s.wrote, s.short, s.written, s.n, s.err = false, false, 0, 0, nil
	rerr := s.rc.Read(s.step)
	written, n, err = s.written, s.n, s.err
	s.out, s.p, s.sent, s.err = nil, nil, nil, nil // keep no caller's buffers
	switch {
	case rerr != nil:
		return written, 0, rerr
	case s.short || err != nil:
		return written, 0, err
	case n == 0:
		return written, 0, io.EOF
	}
	return written, n, nil
}

// do is WriteRead's step inside rc.Read: the write first, then a read
// each time the socket is readable, until it gives bytes, EOF or an
// error. It reports whether the step is done.
func (s *Socket) do(fd uintptr) bool {
	if !s.wrote {
		s.wrote = true
		s.written, s.err = write(int(fd), s.out)
		if s.err != nil || s.written < len(s.out) {
			s.short = s.err == nil
			return true
		}
		if s.sent != nil {
			s.sent()
		}
		if !s.ReadFirst {
			return false // the answer is not there yet: wait, no read
		}
	}
	s.n, s.err = read(int(fd), s.p)
	return !errors.Is(s.err, syscall.EAGAIN)
}

// write writes b to the non-blocking socket fd until it is all written,
// the socket takes no more (a nil error), or writing fails.
func write(fd int, b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := rawWrite(fd, b[written:])
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return written, nil
		case err != nil:
			return written, os.NewSyscallError("write", err)
		}
		written += n
	}
	return written, nil
}

// read reads once from the non-blocking socket fd; EAGAIN is returned
// as it is, for WriteRead to wait again.
func read(fd int, p []byte) (int, error) {
	for {
		n, err := rawRead(fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return 0, err
		case err != nil:
			return 0, os.NewSyscallError("read", err)
		}
		return n, nil
	}
}

// rawWrite and rawRead are write(2) and read(2) without entering the
// runtime's syscall state (syscall.RawSyscall): on a non-blocking socket
// they never block, so the goroutine keeps its P. syscall.Write would
// enter that state, and a call the kernel holds a little longer (it
// delivers to the peer inline on loopback, and the machine is busy) is
// one sysmon takes the P back from and hands to another thread, and
// sysmon then wakes every 20us for a while: on the router that was a
// fifth of its CPU and half its context switches (bench/router).
func rawWrite(fd int, b []byte) (int, error) {
	return rawIO(syscall.SYS_WRITE, fd, b)
}

func rawRead(fd int, p []byte) (int, error) {
	return rawIO(syscall.SYS_READ, fd, p)
}

func rawIO(trap uintptr, fd int, b []byte) (int, error) {
	n, _, errno := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// Peek looks at the next byte waiting on the socket fd into one (at
// least a byte) without taking it and without waiting (recvfrom with
// MSG_PEEK|MSG_DONTWAIT), raw as rawRead: 1 when a byte is there, 0 when
// the peer closed, syscall.EAGAIN when nothing is there yet. A read
// deadline would not do for this (Go fails a read past its deadline
// even when data is there), and syscall.Recvfrom allocates the sender's
// address, which a connected socket has no use for.
func Peek(fd int, one []byte) (int, error) {
	n, _, errno := syscall.RawSyscall6(syscall.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(one))), 1,
		syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
