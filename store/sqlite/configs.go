package sqlite

import (
	"database/sql"
	"errors"

	"github.com/slipway-dev/slipway/store"
)

// CreateConfigVersion implements store.Tx.
func (t *tx) CreateConfigVersion(v store.ConfigVersion) (store.ConfigVersion, error) {
	if v.Name == "" {
		return store.ConfigVersion{}, store.Invalidf("a config version needs a name")
	}
	n, err := t.next(`SELECT MAX(version) FROM config_versions WHERE name = ?`, v.Name)
	if err != nil {
		return store.ConfigVersion{}, wrap(err, "create config version of %s", v.Name)
	}
	if err := store.CheckConfigBase(v.Name, v.Version, int(n)-1); err != nil {
		return store.ConfigVersion{}, err
	}
	v.Version = int(n)
	data, err := configVersionCodec.encode(v)
	if err == nil {
		_, err = t.exec(`INSERT INTO config_versions (name, version, data) VALUES (?, ?, ?)`, v.Name, v.Version, data)
	}
	if err != nil {
		return store.ConfigVersion{}, wrap(err, "create config version of %s", v.Name)
	}
	return configVersionCodec.decode([]byte(data), nil)
}

// GetConfigVersion implements store.Tx.
func (t *tx) GetConfigVersion(name string, n int) (store.ConfigVersion, error) {
	var v store.ConfigVersion
	var err error
	if n <= 0 {
		v, err = configVersionCodec.decode(t.doc(`SELECT data FROM config_versions WHERE name = ? ORDER BY version DESC LIMIT 1`, name))
	} else {
		v, err = configVersionCodec.decode(t.doc(`SELECT data FROM config_versions WHERE name = ? AND version = ?`, name, n))
	}
	if errors.Is(err, store.ErrNotFound) {
		var latest int
		if qerr := t.queryRow(`SELECT COALESCE(MAX(version), 0) FROM config_versions WHERE name = ?`, name).Scan(&latest); qerr != nil {
			return v, wrap(qerr, "get config %s", name)
		}
		if latest == 0 {
			return v, store.NotFoundf("config %s not found", name)
		}
		return v, store.NotFoundf("config %s has no version %d: its versions are 1 to %d", name, n, latest)
	}
	return v, wrap(err, "get config %s version %d", name, n)
}

// ListConfigVersions implements store.Tx.
func (t *tx) ListConfigVersions(name string, limit int) ([]store.ConfigVersion, error) {
	vs, err := configVersionCodec.decodeAll(t.docs(`SELECT data FROM config_versions WHERE name = ? ORDER BY version DESC LIMIT ?`,
		name, limitArg(limit)))
	return vs, wrap(err, "list config versions of %s", name)
}

// ListConfigs implements store.Tx.
func (t *tx) ListConfigs() ([]store.ConfigVersion, error) {
	vs, err := configVersionCodec.decodeAll(t.docs(`SELECT c.data FROM config_versions c
		JOIN (SELECT name, MAX(version) AS version FROM config_versions GROUP BY name) l
		ON c.name = l.name AND c.version = l.version ORDER BY c.name`))
	return vs, wrap(err, "list configs")
}

// GetConfigDelivery implements store.Tx.
func (t *tx) GetConfigDelivery(name string) (store.ConfigDelivery, error) {
	var version int64
	var data []byte
	err := t.row(`SELECT version, data FROM config_deliveries WHERE name = ?`, []any{name}, &version, &data)
	if errors.Is(err, store.ErrNotFound) {
		return store.ConfigDelivery{}, store.NotFoundf("config %s has no delivery", name)
	}
	d, err := configDeliveryCodec.decode(data, err)
	d.StoreVersion = version
	return d, wrap(err, "get config delivery of %s", name)
}

// PutConfigDelivery implements store.Tx.
func (t *tx) PutConfigDelivery(d store.ConfigDelivery) error {
	if d.Name == "" {
		return store.Invalidf("a config delivery needs a name")
	}
	if err := t.write(); err != nil {
		return wrap(err, "put config delivery of %s", d.Name)
	}
	var stored int64
	err := t.queryRow(`SELECT version FROM config_deliveries WHERE name = ?`, d.Name).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wrap(err, "put config delivery of %s", d.Name)
	}
	if err := store.CheckVersion("config delivery", d.Name, d.StoreVersion, stored); err != nil {
		return err
	}
	data, err := configDeliveryCodec.encode(d)
	if err == nil {
		_, err = t.exec(`INSERT INTO config_deliveries (name, version, data) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET version = excluded.version, data = excluded.data`, d.Name, stored+1, data)
	}
	return wrap(err, "put config delivery of %s", d.Name)
}

// ListConfigDeliveries implements store.Tx.
func (t *tx) ListConfigDeliveries() ([]store.ConfigDelivery, error) {
	type row struct {
		version int64
		data    []byte
	}
	rows, err := scanAll(t, func(s scanner) (r row, err error) {
		err = s.Scan(&r.version, &r.data)
		return
	}, `SELECT version, data FROM config_deliveries ORDER BY name`)
	return decodeEach(rows, err, func(r row, err error) (store.ConfigDelivery, error) {
		d, err := configDeliveryCodec.decode(r.data, err)
		d.StoreVersion = r.version
		return d, err
	})
}
