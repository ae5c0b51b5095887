package sqlite

import (
	"database/sql"
	"errors"

	"github.com/slipway-dev/slipway/store"
)

// GetSinkCursor implements store.Tx.
func (t *tx) GetSinkCursor(sink string) (store.SinkCursor, error) {
	c, err := sinkCursorCodec.decode(t.doc(`SELECT data FROM sink_cursors WHERE sink = ?`, sink))
	if errors.Is(err, store.ErrNotFound) {
		return c, store.NotFoundf("sink cursor %s not found", sink)
	}
	return c, wrap(err, "get sink cursor %s", sink)
}

// ListSinkCursors implements store.Tx.
func (t *tx) ListSinkCursors() ([]store.SinkCursor, error) {
	cs, err := sinkCursorCodec.decodeAll(t.docs(`SELECT data FROM sink_cursors ORDER BY sink`))
	return cs, wrap(err, "list sink cursors")
}

// PutSinkCursor implements store.Tx.
func (t *tx) PutSinkCursor(c store.SinkCursor) error {
	if err := c.Check(); err != nil {
		return err
	}
	if err := t.write(); err != nil {
		return wrap(err, "put sink cursor %s", c.Sink)
	}
	var stored int64
	err := t.queryRow(`SELECT version FROM sink_cursors WHERE sink = ?`, c.Sink).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wrap(err, "put sink cursor %s", c.Sink)
	}
	if err := c.Stale(stored, err == nil); err != nil {
		return err
	}
	c.Version++
	data, err := sinkCursorCodec.encode(c)
	if err == nil {
		_, err = t.exec(`INSERT INTO sink_cursors (sink, version, data) VALUES (?, ?, ?)
			ON CONFLICT (sink) DO UPDATE SET version = excluded.version, data = excluded.data`,
			c.Sink, c.Version, data)
	}
	return wrap(err, "put sink cursor %s", c.Sink)
}

// UseLink implements store.Tx.
func (t *tx) UseLink(u store.LinkUse) error {
	if err := u.Check(); err != nil {
		return err
	}
	if err := t.write(); err != nil {
		return wrap(err, "use link")
	}
	data, err := linkUseCodec.encode(u)
	if err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO link_uses (nonce, data) VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING`, u.Nonce, data)
	if err != nil {
		return wrap(err, "use link")
	}
	if n == 0 {
		return store.Conflictf("this link was used already: it works once")
	}
	return nil
}
