package store

import (
	"fmt"
	"maps"
	"slices"
)

// CreateConfigVersion implements Tx.
func (tx *memTx) CreateConfigVersion(v ConfigVersion) (ConfigVersion, error) {
	if v.Name == "" {
		return ConfigVersion{}, Invalidf("a config version needs a name")
	}
	if err := tx.write(tableConfigs); err != nil {
		return ConfigVersion{}, fmt.Errorf("create config version of %s: %w", v.Name, err)
	}
	versions := tx.t.configs[v.Name]
	if err := CheckConfigBase(v.Name, v.Version, len(versions)); err != nil {
		return ConfigVersion{}, err
	}
	v.Version = len(versions) + 1
	b, err := encode("config version", v)
	if err != nil {
		return ConfigVersion{}, err
	}
	// A new slice: older snapshots share the old one.
	tx.t.configs[v.Name] = append(slices.Clip(versions), b)
	return decode[ConfigVersion]("config version", b)
}

// GetConfigVersion implements Tx.
func (tx *memTx) GetConfigVersion(name string, n int) (ConfigVersion, error) {
	if err := tx.read(); err != nil {
		return ConfigVersion{}, err
	}
	versions := tx.t.configs[name]
	if n <= 0 {
		n = len(versions)
	}
	if n == 0 || n > len(versions) {
		return ConfigVersion{}, configNotFound(name, n, len(versions))
	}
	return decode[ConfigVersion]("config version", versions[n-1])
}

// configNotFound says which versions a config has.
func configNotFound(name string, n, latest int) error {
	switch {
	case latest == 0:
		return NotFoundf("config %s not found", name)
	default:
		return NotFoundf("config %s has no version %d: its versions are 1 to %d", name, n, latest)
	}
}

// ListConfigVersions implements Tx.
func (tx *memTx) ListConfigVersions(name string, limit int) ([]ConfigVersion, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	versions := tx.t.configs[name]
	var docs [][]byte
	for i := len(versions) - 1; i >= 0 && !full(len(docs), limit); i-- {
		docs = append(docs, versions[i])
	}
	return decodeAll("config version", docs, decode[ConfigVersion])
}

// ListConfigs implements Tx.
func (tx *memTx) ListConfigs() ([]ConfigVersion, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, name := range slices.Sorted(maps.Keys(tx.t.configs)) {
		vs := tx.t.configs[name]
		docs = append(docs, vs[len(vs)-1])
	}
	return decodeAll("config version", docs, decode[ConfigVersion])
}

// GetConfigDelivery implements Tx.
func (tx *memTx) GetConfigDelivery(name string) (ConfigDelivery, error) {
	if err := tx.read(); err != nil {
		return ConfigDelivery{}, err
	}
	d, ok := tx.t.deliveries[name]
	if !ok {
		return ConfigDelivery{}, NotFoundf("config %s has no delivery", name)
	}
	return decodeDelivery(d)
}

func decodeDelivery(d recordDoc) (ConfigDelivery, error) {
	out, err := decode[ConfigDelivery]("config delivery", d.doc)
	out.StoreVersion = d.version
	return out, err
}

// PutConfigDelivery implements Tx.
func (tx *memTx) PutConfigDelivery(d ConfigDelivery) error {
	if d.Name == "" {
		return Invalidf("a config delivery needs a name")
	}
	if err := tx.write(tableConfigs); err != nil {
		return fmt.Errorf("put config delivery of %s: %w", d.Name, err)
	}
	stored := tx.t.deliveries[d.Name]
	if err := CheckVersion("config delivery", d.Name, d.StoreVersion, stored.version); err != nil {
		return err
	}
	b, err := encode("config delivery", d)
	if err != nil {
		return err
	}
	tx.t.deliveries[d.Name] = recordDoc{version: stored.version + 1, doc: b}
	return nil
}

// ListConfigDeliveries implements Tx.
func (tx *memTx) ListConfigDeliveries() ([]ConfigDelivery, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var out []ConfigDelivery
	for _, name := range slices.Sorted(maps.Keys(tx.t.deliveries)) {
		d, err := decodeDelivery(tx.t.deliveries[name])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
