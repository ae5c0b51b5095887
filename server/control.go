package server

import (
	"context"
	"sync"
)

// control runs an environment's controllers (its queue's workers and
// resync loop). A take-down stops them and starts them again once the
// environment is down; shutdown closes them for good. Its methods may be
// called from any goroutine.
type control struct {
	mu      sync.Mutex // guards cancel, closed; held while workers stop
	cancel  context.CancelFunc
	closed  bool
	workers sync.WaitGroup
}

// start runs the controllers, with run starting each of them in wg,
// unless they run already or control was closed.
func (c *control) start(ctx context.Context, run func(ctx context.Context, wg *sync.WaitGroup)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.cancel != nil {
		return
	}
	ctx, c.cancel = context.WithCancel(ctx)
	run(ctx, &c.workers)
}

// running reports whether the controllers run.
func (c *control) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cancel != nil
}

// stop ends the controllers and waits for the passes in flight: when it
// returns, no controller acts until start.
func (c *control) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.halt()
}

// close stops the controllers for good.
func (c *control) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.halt()
}

func (c *control) halt() {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	c.workers.Wait()
}
