package store

import (
	"fmt"
	"maps"
	"slices"
)

// AddSecret implements Tx.
func (tx *memTx) AddSecret(s Secret) (Secret, error) {
	if err := s.Check(); err != nil {
		return s, err
	}
	if err := tx.write(tableSecrets); err != nil {
		return s, fmt.Errorf("add secret %s: %w", s.Name, err)
	}
	versions := tx.t.secrets[s.Name]
	s.Version = len(versions) + 1
	b, err := encode("secret", s)
	if err != nil {
		return s, err
	}
	// A new list: older snapshots share the old one.
	tx.t.secrets[s.Name] = append(slices.Clip(versions), b)
	return s, nil
}

// GetSecret implements Tx.
func (tx *memTx) GetSecret(name string, version int) (Secret, error) {
	if err := tx.read(); err != nil {
		return Secret{}, err
	}
	versions := tx.t.secrets[name]
	if version <= 0 {
		version = len(versions)
	}
	if version == 0 || version > len(versions) {
		return Secret{}, secretNotFound(name, version)
	}
	return decode[Secret]("secret", versions[version-1])
}

// ListSecrets implements Tx.
func (tx *memTx) ListSecrets() ([]Secret, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, name := range slices.Sorted(maps.Keys(tx.t.secrets)) {
		v := tx.t.secrets[name]
		docs = append(docs, v[len(v)-1])
	}
	return decodeAll("secret", docs, decode[Secret])
}

// secretNotFound is the error every store returns for a secret (or a
// version of one) it does not have.
func secretNotFound(name string, version int) error {
	if version <= 0 {
		return NotFoundf("secret %s not found (slipway secret set %s, or declare it under secrets: in the spec)", name, name)
	}
	return NotFoundf("secret %s version %d not found", name, version)
}

// SecretNotFound is secretNotFound for other stores.
func SecretNotFound(name string, version int) error { return secretNotFound(name, version) }
