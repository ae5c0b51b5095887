package sqlite

import (
	"errors"

	"github.com/slipway-dev/slipway/store"
)

// AddSecret implements store.Tx.
func (t *tx) AddSecret(s store.Secret) (store.Secret, error) {
	if err := s.Check(); err != nil {
		return s, err
	}
	if err := t.write(); err != nil {
		return s, wrap(err, "add secret %s", s.Name)
	}
	if err := t.queryRow(`SELECT COALESCE(MAX(version), 0) + 1 FROM secrets WHERE name = ?`, s.Name).Scan(&s.Version); err != nil {
		return s, wrap(err, "add secret %s", s.Name)
	}
	data, err := secretCodec.encode(s)
	if err == nil {
		_, err = t.exec(`INSERT INTO secrets (name, version, data) VALUES (?, ?, ?)`, s.Name, s.Version, data)
	}
	return s, wrap(err, "add secret %s", s.Name)
}

// GetSecret implements store.Tx.
func (t *tx) GetSecret(name string, version int) (store.Secret, error) {
	var s store.Secret
	var err error
	if version <= 0 {
		s, err = secretCodec.decode(t.doc(`SELECT data FROM secrets WHERE name = ? ORDER BY version DESC LIMIT 1`, name))
	} else {
		s, err = secretCodec.decode(t.doc(`SELECT data FROM secrets WHERE name = ? AND version = ?`, name, version))
	}
	if errors.Is(err, store.ErrNotFound) {
		return s, store.SecretNotFound(name, version)
	}
	return s, wrap(err, "get secret %s", name)
}

// ListSecrets implements store.Tx.
func (t *tx) ListSecrets() ([]store.Secret, error) {
	ss, err := secretCodec.decodeAll(t.docs(`SELECT data FROM secrets AS s
		WHERE version = (SELECT MAX(version) FROM secrets WHERE name = s.name) ORDER BY name`))
	return ss, wrap(err, "list secrets")
}
