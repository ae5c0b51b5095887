package sqlite

import (
	"database/sql"
	"errors"

	"github.com/slipway-dev/slipway/store"
)

// GetEnvironment implements store.Tx.
func (t *tx) GetEnvironment(name string) (store.Environment, error) {
	e, err := environmentCodec.decode(t.doc(`SELECT data FROM environments WHERE name = ?`, name))
	if errors.Is(err, store.ErrNotFound) {
		return e, store.NotFoundf("environment %s not found in the registry", name)
	}
	return e, wrap(err, "get environment %s", name)
}

// ListEnvironments implements store.Tx.
func (t *tx) ListEnvironments() ([]store.Environment, error) {
	es, err := environmentCodec.decodeAll(t.docs(`SELECT data FROM environments ORDER BY name`))
	return es, wrap(err, "list environments")
}

// PutEnvironment implements store.Tx.
func (t *tx) PutEnvironment(e store.Environment) error {
	if err := e.Check(); err != nil {
		return err
	}
	if err := t.write(); err != nil {
		return wrap(err, "put environment %s", e.Name)
	}
	var stored int64
	err := t.queryRow(`SELECT version FROM environments WHERE name = ?`, e.Name).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wrap(err, "put environment %s", e.Name)
	}
	if err := e.Stale(stored, err == nil); err != nil {
		return err
	}
	e.Version++
	data, err := environmentCodec.encode(e)
	if err == nil {
		_, err = t.exec(`INSERT INTO environments (name, version, data) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET version = excluded.version, data = excluded.data`,
			e.Name, e.Version, data)
	}
	return wrap(err, "put environment %s", e.Name)
}

// DeleteEnvironment implements store.Tx.
func (t *tx) DeleteEnvironment(name string) error {
	err := mustChange(t.exec(`DELETE FROM environments WHERE name = ?`, name))
	if errors.Is(err, store.ErrNotFound) {
		return store.NotFoundf("environment %s not found in the registry", name)
	}
	return wrap(err, "delete environment %s", name)
}
