package notify

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/store"
)

// Status is one lane as slipway notifications status shows it: where it
// sends (no secret), how far it has read, and how its attempts went.
type Status struct {
	Name   string
	Kind   string
	Target string
	// Log is the log the lane reads (the environment, or the hub's for
	// the promotions into it).
	Log string
	// Cursor is the last event read; Lag how many events of the log are
	// after it (delivered or skipped by the filters once read).
	Cursor, Lag int64
	Delivered   int64
	LastSuccess time.Time
	LastError   string
	LastErrorAt time.Time
	// Failures counts attempts failed in a row (0: delivering).
	Failures int
	// Broken says why it cannot send at all (a secret not stored).
	Broken string
}

// ReadStatus returns every destination of env's applied spec with its
// lanes' cursors, by name (a lane that has not started shows a zero
// cursor).
func ReadStatus(ctx context.Context, env, hub Log, box *secret.Box) ([]Status, error) {
	var set settings
	err := env.Store.View(ctx, func(tx store.Tx) (err error) { set, err = load(tx, env.Name, box); return err })
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, log := range []Log{env, hub} {
		if log.Store == nil {
			continue
		}
		err := log.Store.View(ctx, func(tx store.Tx) error {
			latest, err := tx.ListEventsBefore(0, "", 1)
			if err != nil {
				return err
			}
			for name, d := range set.dests {
				cursor := name
				if log.Name != env.Name {
					cursor = env.Name + "/" + name
				}
				c, err := tx.GetSinkCursor(cursor)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				s := Status{Name: name, Kind: d.n.Kind(), Target: Target(d.n), Log: log.Name, Cursor: c.Seq, Delivered: c.Delivered,
					LastSuccess: c.LastSuccess, LastError: c.LastError, LastErrorAt: c.LastErrorAt, Failures: c.Failures, Broken: d.broken}
				if len(latest) > 0 && c.Sink != "" {
					s.Lag = latest[0].Seq - c.Seq
				}
				out = append(out, s)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b Status) int {
		return strings.Compare(a.Name+"\x00"+a.Log, b.Name+"\x00"+b.Log)
	})
	return out, nil
}
