package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// errClosed is returned by a Memory used after Close.
var errClosed = errors.New("store closed")

// Memory is an in-memory Store for tests. It keeps every record encoded as
// JSON, the way store/sqlite does, so that both backends hand out fresh,
// unaliased values and round-trip records identically (times lose their
// monotonic reading, empty omitempty slices come back nil). Encoding also
// keeps deep copies correct when spec types grow new pointer, slice or map
// fields, which a hand-written clone would silently alias.
//
// Readers see an immutable snapshot; Update works on a copy-on-write copy
// of the snapshot and swaps it in only when fn succeeds.
type Memory struct {
	mu     sync.Mutex // serializes writers and guards closed
	closed bool
	snap   atomic.Pointer[tables] // the committed state; never mutated
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	m := &Memory{}
	m.snap.Store(newTables())
	return m
}

// View runs fn against the committed snapshot. Writes fail.
func (m *Memory) View(ctx context.Context, fn func(tx Tx) error) error {
	if err := m.begin(ctx); err != nil {
		return err
	}
	tx := &memTx{t: *m.snap.Load()}
	defer tx.finish()
	return fn(tx)
}

// Update runs fn on a private copy of the committed state and publishes it
// when fn returns nil. Writers run one at a time.
func (m *Memory) Update(ctx context.Context, fn func(tx Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin update: %w", err)
	}
	tx := &memTx{t: *m.snap.Load(), writable: true, by: ActorFrom(ctx)}
	defer tx.finish()
	if err := fn(tx); err != nil {
		return err
	}
	m.snap.Store(&tx.t)
	return nil
}

// Close marks the store closed; later transactions fail.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

func (m *Memory) begin(ctx context.Context) error {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin view: %w", err)
	}
	return nil
}
