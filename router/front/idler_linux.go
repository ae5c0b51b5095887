package front

import (
	"errors"
	"sync"
	"syscall"
	"time"
)

// idler waits for the front's idle connections (those past
// idleRelease) with no goroutine each: their sockets in an epoll
// instance of its own, watched by one goroutine, as nginx's event loop
// watches its idle connections. An idle connection then holds its
// clientConn, its socket and a timer: no stack, no buffer. Go's poller
// keeps the socket too (edge-triggered); what it saw meanwhile is
// harmless, the next read reads.
//
// A parked connection leaves the table exactly once, by whoever takes
// it (take): its socket's readiness (resume: a new goroutine serves it
// on), its deadline (the timer ends it), or the server closing it
// (forget, after closeIfIdle or closeOneIdle, or stop).
type idler struct {
	epfd       int
	stopR      int // a pipe's read end in the epoll (id 0): stop's wake-up
	stopW      int
	start      sync.Once
	mu         sync.Mutex // guards parked, next and stopped
	parked     map[uint64]parkedConn
	next       uint64
	stopped    bool
	loopExited chan struct{}
}

// parkedConn is a connection in the idler and its deadline's timer.
type parkedConn struct {
	c     *clientConn
	timer *time.Timer
}

// newIdler returns an idler, or nil when the system gives no epoll (the
// connections then wait on goroutines of their own: wake).
func newIdler() *idler {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		_ = syscall.Close(epfd)
		return nil
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p[0], &ev); err != nil {
		_ = syscall.Close(epfd)
		_ = syscall.Close(p[0])
		_ = syscall.Close(p[1])
		return nil
	}
	return &idler{epfd: epfd, stopR: p[0], stopW: p[1], parked: map[uint64]parkedConn{}, loopExited: make(chan struct{})}
}

// park puts c (idle, its buffers given back) in the idler until its
// socket is readable or c.until passes; false when it cannot (stopped,
// or the socket is gone), and c is as it was.
func (d *idler) park(c *clientConn) bool {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return false
	}
	d.next++
	id := d.next
	d.parked[id] = parkedConn{c: c}
	c.parkID.Store(id)
	d.mu.Unlock()
	d.start.Do(func() { go d.loop() })
	if !c.until.IsZero() {
		t := time.AfterFunc(time.Until(c.until), func() {
			if _, ok := d.take(id); ok {
				c.s.parked.Add(-1)
				c.end() // its idle or header timeout
			}
		})
		d.mu.Lock()
		if p, ok := d.parked[id]; ok {
			p.timer = t
			d.parked[id] = p
		}
		d.mu.Unlock()
	}
	var cerr error
	err := c.rc.Control(func(fd uintptr) {
		// One-shot: it fires once, and resume takes the socket out.
		// A socket readable already is reported at once.
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT,
			Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
		cerr = syscall.EpollCtl(d.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
	})
	if err = errors.Join(err, cerr); err != nil {
		if p, ok := d.take(id); ok {
			if p.timer != nil {
				p.timer.Stop()
			}
			return false
		}
		return true // the timer took it, or the server closed it
	}
	return true
}

// take takes connection id out of the table, if it is still there.
func (d *idler) take(id uint64) (parkedConn, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.parked[id]
	if ok {
		delete(d.parked, id)
		p.c.parkID.Store(0)
	}
	return p, ok
}

// forget takes c out of the idler after the server closed it (its
// socket left the epoll with it).
func (d *idler) forget(c *clientConn) {
	id := c.parkID.Load()
	if id == 0 {
		return
	}
	if p, ok := d.take(id); ok {
		if p.timer != nil {
			p.timer.Stop()
		}
		c.s.parked.Add(-1)
	}
}

// loop hands each connection whose socket became readable to a new
// goroutine (resume), until stop.
func (d *idler) loop() {
	defer close(d.loopExited)
	events := make([]syscall.EpollEvent, 128)
	for {
		n, err := syscall.EpollWait(d.epfd, events, -1)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return
		}
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if id == 0 {
				return // stop
			}
			if p, ok := d.take(id); ok {
				go p.c.resume(d, p.timer)
			}
		}
	}
}

// unwatch takes c's socket out of the epoll (it fired once).
func (d *idler) unwatch(c *clientConn) {
	_ = c.rc.Control(func(fd uintptr) {
		_ = syscall.EpollCtl(d.epfd, syscall.EPOLL_CTL_DEL, int(fd), nil)
	})
}

// stop ends the idler's goroutine and lets go of its connections (the
// server closed them), once the server is done.
func (d *idler) stop() {
	d.mu.Lock()
	if d.stopped {
		d.mu.Unlock()
		return
	}
	d.stopped = true
	for id, p := range d.parked {
		delete(d.parked, id)
		p.c.s.parked.Add(-1) // Close closed it: it waits no more
		if p.timer != nil {
			p.timer.Stop()
		}
	}
	d.mu.Unlock()
	started := true
	d.start.Do(func() { started = false })
	if started {
		_, _ = syscall.Write(d.stopW, []byte{0})
		<-d.loopExited
	}
	_ = syscall.Close(d.epfd)
	_ = syscall.Close(d.stopR)
	_ = syscall.Close(d.stopW)
}
