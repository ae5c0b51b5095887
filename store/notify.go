package store

import (
	"context"
	"sync"
	"sync/atomic"
)

// Notifier wraps a Store to announce every committed write: followers
// (event and log streams) wait on Changed instead of polling, and readers
// that cache what they read compare Version to know if anything changed.
type Notifier struct {
	Store
	version atomic.Uint64
	mu      sync.Mutex    // guards ch
	ch      chan struct{} // closed and replaced on each commit
}

// NewNotifier wraps s.
func NewNotifier(s Store) *Notifier {
	return &Notifier{Store: s, ch: make(chan struct{})}
}

// Update runs fn and, when it commits, bumps the version and wakes
// everyone waiting on Changed.
func (n *Notifier) Update(ctx context.Context, fn func(tx Tx) error) error {
	err := n.Store.Update(ctx, fn)
	if err == nil {
		n.version.Add(1)
		n.mu.Lock()
		close(n.ch)
		n.ch = make(chan struct{})
		n.mu.Unlock()
	}
	return err
}

// Changed returns a channel closed at the next committed write.
func (n *Notifier) Changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

// Version counts committed writes. Read it before reading the store: if
// it is the same later, nothing read since has changed.
func (n *Notifier) Version() uint64 { return n.version.Load() }
