package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// CreateFlagConfig implements store.Tx.
func (t *tx) CreateFlagConfig(c store.FlagConfig) (store.FlagConfig, error) {
	n, err := t.next(`SELECT MAX(revision) FROM flag_configs`)
	if err != nil {
		return store.FlagConfig{}, wrap(err, "create flag config")
	}
	if err := store.CheckFlagBase(c.Revision, int(n)-1); err != nil {
		return store.FlagConfig{}, err
	}
	c.Revision = int(n)
	data, err := flagConfigCodec.encode(c)
	if err == nil {
		_, err = t.exec(`INSERT INTO flag_configs (revision, data) VALUES (?, ?)`, c.Revision, data)
	}
	if err != nil {
		return store.FlagConfig{}, wrap(err, "create flag config")
	}
	return flagConfigCodec.decode([]byte(data), nil)
}

// GetFlagConfig implements store.Tx.
func (t *tx) GetFlagConfig() (store.FlagConfig, error) {
	c, err := flagConfigCodec.decode(t.doc(`SELECT data FROM flag_configs ORDER BY revision DESC LIMIT 1`))
	return c, wrap(err, "get flag config")
}

// FlagConfigRevision implements store.Tx.
func (t *tx) FlagConfigRevision() (int, error) {
	if err := t.read(); err != nil {
		return 0, err
	}
	var n int
	err := t.queryRow(`SELECT COALESCE(MAX(revision), 0) FROM flag_configs`).Scan(&n)
	return n, wrap(err, "flag config revision")
}

// ListFlagConfigs implements store.Tx.
func (t *tx) ListFlagConfigs(limit int) ([]store.FlagConfig, error) {
	cs, err := flagConfigCodec.decodeAll(t.docs(`SELECT data FROM flag_configs ORDER BY revision DESC LIMIT ?`, limitArg(limit)))
	return cs, wrap(err, "list flag configs")
}

// PutFlagUsage implements store.Tx.
func (t *tx) PutFlagUsage(evaluated map[string]time.Time) error {
	for k, at := range evaluated {
		if _, err := t.exec(`INSERT INTO flag_usage (key, evaluated) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET evaluated = excluded.evaluated`, k, at.UTC().Format(time.RFC3339Nano)); err != nil {
			return wrap(err, "put flag usage of %s", k)
		}
	}
	return nil
}

// ListFlagUsage implements store.Tx.
func (t *tx) ListFlagUsage() (map[string]time.Time, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	rows, err := t.query(`SELECT key, evaluated FROM flag_usage`)
	if err != nil {
		return nil, wrap(err, "list flag usage")
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var k, at string
		if err := rows.Scan(&k, &at); err != nil {
			return nil, wrap(err, "list flag usage")
		}
		if out[k], err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, wrap(err, "list flag usage of %s", k)
		}
	}
	return out, wrap(rows.Err(), "list flag usage")
}
