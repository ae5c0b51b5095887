package store

import (
	"fmt"
	"maps"
	"slices"
)

// GetSinkCursor implements Tx.
func (tx *memTx) GetSinkCursor(sink string) (SinkCursor, error) {
	if err := tx.read(); err != nil {
		return SinkCursor{}, err
	}
	d, ok := tx.t.cursors[sink]
	if !ok {
		return SinkCursor{}, NotFoundf("sink cursor %s not found", sink)
	}
	return decode[SinkCursor]("sink cursor", d.doc)
}

// ListSinkCursors implements Tx.
func (tx *memTx) ListSinkCursors() ([]SinkCursor, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, name := range slices.Sorted(maps.Keys(tx.t.cursors)) {
		docs = append(docs, tx.t.cursors[name].doc)
	}
	return decodeAll("sink cursor", docs, decode[SinkCursor])
}

// PutSinkCursor implements Tx.
func (tx *memTx) PutSinkCursor(c SinkCursor) error {
	if err := c.Check(); err != nil {
		return err
	}
	if err := tx.write(tableSinks); err != nil {
		return fmt.Errorf("put sink cursor %s: %w", c.Sink, err)
	}
	stored, exists := tx.t.cursors[c.Sink]
	if err := c.Stale(stored.version, exists); err != nil {
		return err
	}
	c.Version++
	b, err := encode("sink cursor", c)
	if err != nil {
		return err
	}
	tx.t.cursors[c.Sink] = recordDoc{version: c.Version, doc: b}
	return nil
}

// UseLink implements Tx.
func (tx *memTx) UseLink(u LinkUse) error {
	if err := u.Check(); err != nil {
		return err
	}
	if err := tx.write(tableSinks); err != nil {
		return fmt.Errorf("use link: %w", err)
	}
	if _, used := tx.t.links[u.Nonce]; used {
		return Conflictf("this link was used already: it works once")
	}
	b, err := encode("link use", u)
	if err != nil {
		return err
	}
	tx.t.links[u.Nonce] = b
	return nil
}
