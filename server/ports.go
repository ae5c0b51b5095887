package server

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// portAllocator hands out instances' ports (rollout.Ports); a field of
// its own type so that a test can take a port between its allocation and
// an instance's start.
type portAllocator interface {
	Allocate() (int, error)
	Free(port int) bool
}

// freePorts asks the kernel for free loopback ports. With several
// workers, two instances may be created at once, each before the other's
// record (and port) is stored: a port handed out in the last minute is
// not handed out again.
type freePorts struct {
	mu     sync.Mutex // guards recent
	recent map[int]time.Time
}

// reserveFor is how long a handed-out port is kept from others: time
// enough for its instance's record to be stored.
const reserveFor = time.Minute

// Allocate returns a port nobody listens on right now, and that was not
// handed out in the last minute.
func (f *freePorts) Allocate() (int, error) {
	for range 20 {
		port, err := kernelPort()
		if err != nil {
			return 0, err
		}
		if f.reserve(port, time.Now()) {
			return port, nil
		}
	}
	return 0, fmt.Errorf("find a free port: the kernel offered only ports handed out in the last %s", reserveFor)
}

func (f *freePorts) reserve(port int, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for p, at := range f.recent {
		if now.Sub(at) > reserveFor {
			delete(f.recent, p)
		}
	}
	if _, taken := f.recent[port]; taken {
		return false
	}
	if f.recent == nil {
		f.recent = map[int]time.Time{}
	}
	f.recent[port] = now
	return true
}

func kernelPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Free reports whether port can be listened on now (on loopback, where
// instances listen): false when another process took it.
func (f *freePorts) Free(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return !errors.Is(err, syscall.EADDRINUSE)
	}
	l.Close()
	return true
}
