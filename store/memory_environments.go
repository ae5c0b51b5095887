package store

import (
	"fmt"
	"maps"
	"slices"
)

// GetEnvironment implements Tx.
func (tx *memTx) GetEnvironment(name string) (Environment, error) {
	if err := tx.read(); err != nil {
		return Environment{}, err
	}
	d, ok := tx.t.environments[name]
	if !ok {
		return Environment{}, NotFoundf("environment %s not found in the registry", name)
	}
	return decode[Environment]("environment", d.doc)
}

// ListEnvironments implements Tx.
func (tx *memTx) ListEnvironments() ([]Environment, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, name := range slices.Sorted(maps.Keys(tx.t.environments)) {
		docs = append(docs, tx.t.environments[name].doc)
	}
	return decodeAll("environment", docs, decode[Environment])
}

// PutEnvironment implements Tx.
func (tx *memTx) PutEnvironment(e Environment) error {
	if err := e.Check(); err != nil {
		return err
	}
	if err := tx.write(tableEnvironments); err != nil {
		return fmt.Errorf("put environment %s: %w", e.Name, err)
	}
	stored, exists := tx.t.environments[e.Name]
	if err := e.Stale(stored.version, exists); err != nil {
		return err
	}
	e.Version++
	b, err := encode("environment", e)
	if err != nil {
		return err
	}
	tx.t.environments[e.Name] = recordDoc{version: e.Version, doc: b}
	return nil
}

// DeleteEnvironment implements Tx.
func (tx *memTx) DeleteEnvironment(name string) error {
	if err := tx.write(tableEnvironments); err != nil {
		return fmt.Errorf("delete environment %s: %w", name, err)
	}
	if _, ok := tx.t.environments[name]; !ok {
		return NotFoundf("environment %s not found in the registry", name)
	}
	delete(tx.t.environments, name)
	return nil
}
