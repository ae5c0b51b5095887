package sqlite

import (
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/store"
)

// GetApp implements store.Tx.
func (t *tx) GetApp() (store.App, error) {
	a, err := appCodec.decodeV(t.vdoc(`SELECT version, data FROM app WHERE id = 1`))
	return a, wrap(err, "get app")
}

// PutApp implements store.Tx.
func (t *tx) PutApp(a store.App) error {
	data, err := appCodec.encode(a)
	if err == nil {
		err = t.checked(vwrite{kind: "app", key: a.Name, given: a.StoreVersion,
			insert:     `INSERT INTO app (id, data, version) VALUES (1, ?, 1)`,
			update:     `UPDATE app SET data = ?, version = version + 1 WHERE id = 1 AND version = ?`,
			current:    `SELECT version FROM app WHERE id = 1`,
			insertArgs: []any{data}, updateArgs: []any{data}})
	}
	return wrap(err, "put app")
}

// GetService implements store.Tx.
func (t *tx) GetService(name string) (store.Service, error) {
	s, err := serviceCodec.decodeV(t.vdoc(`SELECT version, data FROM services WHERE name = ?`, name))
	return s, wrap(err, "get service %q", name)
}

// ListServices implements store.Tx.
func (t *tx) ListServices() ([]store.Service, error) {
	ss, err := serviceCodec.decodeAllV(t.vdocs(`SELECT version, data FROM services ORDER BY name`))
	return ss, wrap(err, "list services")
}

// PutService implements store.Tx.
func (t *tx) PutService(s store.Service) error {
	if s.Name == "" {
		return errors.New("put service: empty name")
	}
	data, err := serviceCodec.encode(s)
	if err == nil {
		err = t.checked(vwrite{kind: "service", key: s.Name, given: s.StoreVersion,
			insert:     `INSERT INTO services (name, data, version) VALUES (?, ?, 1)`,
			update:     `UPDATE services SET data = ?, version = version + 1 WHERE name = ? AND version = ?`,
			current:    `SELECT version FROM services WHERE name = ?`,
			insertArgs: []any{s.Name, data}, updateArgs: []any{data, s.Name}, keyArgs: []any{s.Name}})
	}
	return wrap(err, "put service %q", s.Name)
}

// DeleteService implements store.Tx.
func (t *tx) DeleteService(name string) error {
	err := mustChange(t.exec(`DELETE FROM services WHERE name = ?`, name))
	return wrap(err, "delete service %q", name)
}

// CreateRevision implements store.Tx.
func (t *tx) CreateRevision(r store.Revision) (store.Revision, error) {
	if r.Service == "" {
		return store.Revision{}, errors.New("create revision: empty service")
	}
	n, err := t.next(`SELECT MAX(number) FROM revisions WHERE service = ?`, r.Service)
	if err != nil {
		return store.Revision{}, wrap(err, "create revision of %q", r.Service)
	}
	r.Number = int(n)
	data, err := revisionCodec.encode(r)
	if err == nil {
		_, err = t.exec(`INSERT INTO revisions (service, number, data) VALUES (?, ?, ?)`,
			r.Service, r.Number, data)
	}
	if err != nil {
		return store.Revision{}, wrap(err, "create revision of %q", r.Service)
	}
	return revisionCodec.decode([]byte(data), nil)
}

// GetRevision implements store.Tx.
func (t *tx) GetRevision(service string, n int) (store.Revision, error) {
	r, err := revisionCodec.decode(t.doc(
		`SELECT data FROM revisions WHERE service = ? AND number = ?`, service, n))
	return r, wrap(err, "get revision %s/%d", service, n)
}

// ListRevisions implements store.Tx.
func (t *tx) ListRevisions(service string) ([]store.Revision, error) {
	rs, err := revisionCodec.decodeAll(t.docs(
		`SELECT data FROM revisions WHERE service = ? ORDER BY number`, service))
	return rs, wrap(err, "list revisions of %q", service)
}

// SetRevisionState implements store.Tx.
func (t *tx) SetRevisionState(service string, n int, state store.RevisionState, reason string) error {
	if err := t.write(); err != nil {
		return wrap(err, "set revision state %s/%d", service, n)
	}
	r, err := t.GetRevision(service, n)
	if err != nil {
		return wrap(err, "set revision state")
	}
	r.State, r.Reason = state, reason
	data, err := revisionCodec.encode(r)
	if err == nil {
		_, err = t.exec(`UPDATE revisions SET data = ? WHERE service = ? AND number = ?`, data, service, n)
	}
	return wrap(err, "set revision state %s/%d", service, n)
}

// wrap adds context to a non-nil error.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
