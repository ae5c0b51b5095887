package turn

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// WriteRead writes out to the socket under rc, then waits until the
// socket is readable, and reads once into p (len(p) > 0). It returns how
// much of out was written and read, and the first error.
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
func WriteRead(rc syscall.RawConn, out, p []byte, sent func()) (written, n int, err error) {
	wrote := false
	short := false
	rerr := rc.Read(func(fd uintptr) bool {
		if !wrote {
			wrote = true
			written, err = write(int(fd), out)
			if err != nil || written < len(out) {
				short = err == nil
				return true
			}
			if sent != nil {
				sent()
			}
			return false // the answer is not there yet: wait, no read
		}
		n, err = read(int(fd), p)
		return !errors.Is(err, syscall.EAGAIN)
	})
	switch {
	case rerr != nil:
		return written, 0, rerr
	case short || err != nil:
		return written, 0, err
	case n == 0:
		return written, 0, io.EOF
	}
	return written, n, nil
}

// write writes b to the non-blocking socket fd until it is all written,
// the socket takes no more (a nil error), or writing fails.
func write(fd int, b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, err := syscall.Write(fd, b[written:])
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
		n, err := syscall.Read(fd, p)
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
