package server

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// liveFlags serves the latest flag configuration, compiled: it is OFREP's
// Evaluator, and remembers when each flag was last evaluated (for stale
// flag reports) until flushed to the store.
type liveFlags struct {
	cur   atomic.Pointer[flagVersion]
	clock clock.Clock

	usage sync.Map // flag key -> *atomic.Int64 (unix seconds of the last evaluation)
}

var _ ofrep.Evaluator = (*liveFlags)(nil)

// flagVersion is one compiled configuration; changed is closed when a
// newer one replaces it.
type flagVersion struct {
	set      *flags.Set
	revision int
	changed  chan struct{}
}

func newLiveFlags(c clock.Clock) *liveFlags {
	l := &liveFlags{clock: c}
	empty, _ := flags.Compile(nil, nil, nil)
	l.cur.Store(&flagVersion{set: empty, changed: make(chan struct{})})
	return l
}

// Evaluate implements ofrep.Evaluator.
func (l *liveFlags) Evaluate(key string, c flags.Context) flags.Result {
	r := l.cur.Load().set.Evaluate(key, c)
	if r.ErrorCode != flags.ErrFlagNotFound {
		l.touch(key)
	}
	return r
}

// EvaluateAll implements ofrep.Evaluator.
func (l *liveFlags) EvaluateAll(c flags.Context) []flags.Result {
	rs := l.cur.Load().set.EvaluateAll(c)
	for _, r := range rs {
		l.touch(r.Key)
	}
	return rs
}

// Version implements ofrep.Evaluator.
func (l *liveFlags) Version() string { return fmt.Sprintf("r%d", l.cur.Load().revision) }

// Changed implements ofrep.Evaluator.
func (l *liveFlags) Changed() <-chan struct{} { return l.cur.Load().changed }

func (l *liveFlags) touch(key string) {
	now := l.clock.Now().Unix()
	v, ok := l.usage.Load(key)
	if !ok {
		v, _ = l.usage.LoadOrStore(key, new(atomic.Int64))
	}
	if t := v.(*atomic.Int64); t.Load() != now {
		t.Store(now)
	}
}

// load compiles the store's latest configuration when it is newer.
func (l *liveFlags) load(ctx context.Context, s store.Store) error {
	var c store.FlagConfig
	stale := false
	err := s.View(ctx, func(tx store.Tx) error {
		// Every commit wakes this loop; the configuration (up to a
		// megabyte of JSON) is read only when its revision moved.
		rev, err := tx.FlagConfigRevision()
		if err != nil || rev == 0 || rev == l.cur.Load().revision {
			return err
		}
		stale = true
		c, err = tx.GetFlagConfig()
		return err
	})
	if err != nil || !stale {
		return err
	}
	// Update recompiles only what changed (10,000 flags: ~0.2s, not 2s).
	set, err := l.cur.Load().set.Update(c.Flags, c.Segments, stack.Overrides(c))
	if err != nil {
		return fmt.Errorf("compile flags revision %d: %w", c.Revision, err)
	}
	old := l.cur.Swap(&flagVersion{set: set, revision: c.Revision, changed: make(chan struct{})})
	close(old.changed)
	return nil
}

// drainUsage returns the evaluation times seen since the last call.
func (l *liveFlags) drainUsage(since int64) map[string]time.Time {
	out := map[string]time.Time{}
	l.usage.Range(func(k, v any) bool {
		if at := v.(*atomic.Int64).Load(); at > since {
			out[k.(string)] = time.Unix(at, 0)
		}
		return true
	})
	return out
}

// followFlags keeps the live flags equal to the store, and writes when
// flags were evaluated to the store every usageFlush.
func (s *Server) followFlags(ctx context.Context, p *parts) {
	const usageFlush = 30 * time.Second
	tick := time.NewTicker(usageFlush)
	defer tick.Stop()
	var flushed int64
	for {
		changed := p.store.Changed()
		if err := p.flags.load(ctx, p.store); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("load flags", "err", err)
		}
		select {
		case <-ctx.Done():
			s.flushUsage(context.Background(), p, flushed)
			return
		case <-changed:
		case <-tick.C:
			flushed = s.flushUsage(ctx, p, flushed)
		}
	}
}

// flushUsage stores evaluation times newer than since and returns the
// newest it stored. A failed write is logged and tried again at the next
// flush (since stays where it was).
func (s *Server) flushUsage(ctx context.Context, p *parts, since int64) int64 {
	usage := p.flags.drainUsage(since)
	if len(usage) == 0 {
		return since
	}
	if err := p.store.Update(ctx, func(tx store.Tx) error { return tx.PutFlagUsage(usage) }); err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Warn("store when flags were evaluated", "flags", len(usage), "err", err)
		}
		return since
	}
	for _, at := range usage {
		since = max(since, at.Unix())
	}
	return since
}
