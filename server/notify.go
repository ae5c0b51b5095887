package server

import (
	"context"
	"sync"

	"github.com/slipway-dev/slipway/store"
)

// notifying wraps a Store to announce every committed write, so that
// followers (event streams, log streams) wake without polling.
type notifying struct {
	store.Store
	mu sync.Mutex    // guards ch
	ch chan struct{} // closed and replaced on each commit
}

func newNotifying(s store.Store) *notifying {
	return &notifying{Store: s, ch: make(chan struct{})}
}

// Update runs fn and, when it commits, wakes everyone waiting on changed.
func (n *notifying) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	err := n.Store.Update(ctx, fn)
	if err == nil {
		n.mu.Lock()
		close(n.ch)
		n.ch = make(chan struct{})
		n.mu.Unlock()
	}
	return err
}

// changed returns a channel closed at the next committed write.
func (n *notifying) changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}
