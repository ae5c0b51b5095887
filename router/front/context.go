package front

import (
	"context"
	"sync"
	"time"
)

// reqCtx is a request's context. net/http makes a cancelable context per
// request and keeps a read pending on the connection to cancel it when
// the client leaves; that costs a goroutine wakeup and a syscall per
// request. reqCtx does both only once something waits on it (Done,
// AfterFunc): the router's fast path checks Err, and waits only for a
// request slower than its watchAfter. Once the handler returned it is canceled, as
// net/http's.
type reqCtx struct {
	context.Context // the connection's base: values only, never done
	c               *clientConn

	mu     sync.Mutex // guards inner, cancel and ended
	inner  context.Context
	cancel context.CancelFunc
	ended  bool
}

func (x *reqCtx) Deadline() (time.Time, bool)    { return time.Time{}, false }
func (x *reqCtx) Done() <-chan struct{}          { return x.watched().Done() }
func (x *reqCtx) AfterFunc(f func()) func() bool { return context.AfterFunc(x.watched(), f) }

func (x *reqCtx) Err() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	switch {
	case x.inner != nil:
		return x.inner.Err()
	case x.ended:
		return context.Canceled
	}
	return nil
}

// watched returns the context that is canceled when the client leaves
// or the request ends, starting the background read on first use.
func (x *reqCtx) watched() context.Context {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.inner == nil {
		x.inner, x.cancel = context.WithCancel(x.Context)
		if x.ended {
			x.cancel()
		} else {
			x.c.startBackgroundRead(x.cancel)
		}
	}
	return x.inner
}

// end marks the request ended, and returns the cancel of a background
// read to stop (nil when none was started).
func (x *reqCtx) end() context.CancelFunc {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.ended = true
	return x.cancel
}
