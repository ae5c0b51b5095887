package sqlite

import (
	"database/sql"
	"errors"

	"github.com/slipway-dev/slipway/store"
)

// GetToken implements store.Tx.
func (t *tx) GetToken(name string) (store.Token, error) {
	k, err := tokenCodec.decode(t.doc(`SELECT data FROM tokens WHERE name = ?`, name))
	if errors.Is(err, store.ErrNotFound) {
		return k, store.NotFoundf("token %s not found", name)
	}
	return k, wrap(err, "get token %s", name)
}

// ListTokens implements store.Tx.
func (t *tx) ListTokens() ([]store.Token, error) {
	ks, err := tokenCodec.decodeAll(t.docs(`SELECT data FROM tokens ORDER BY name`))
	return ks, wrap(err, "list tokens")
}

// PutToken implements store.Tx.
func (t *tx) PutToken(k store.Token) error {
	if err := k.Check(); err != nil {
		return err
	}
	if err := t.write(); err != nil {
		return wrap(err, "put token %s", k.Name)
	}
	var stored int64
	err := t.queryRow(`SELECT version FROM tokens WHERE name = ?`, k.Name).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wrap(err, "put token %s", k.Name)
	}
	if err := k.Stale(stored, err == nil); err != nil {
		return err
	}
	k.Version++
	data, err := tokenCodec.encode(k)
	if err == nil {
		_, err = t.exec(`INSERT INTO tokens (name, version, data) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET version = excluded.version, data = excluded.data`,
			k.Name, k.Version, data)
	}
	return wrap(err, "put token %s", k.Name)
}

// DeleteToken implements store.Tx.
func (t *tx) DeleteToken(name string) error {
	err := mustChange(t.exec(`DELETE FROM tokens WHERE name = ?`, name))
	if errors.Is(err, store.ErrNotFound) {
		return store.NotFoundf("token %s not found", name)
	}
	return wrap(err, "delete token %s", name)
}
