package store

import (
	"errors"
	"fmt"
	"slices"
)

var (
	// errReadOnly is returned by writes through a View transaction.
	errReadOnly = errors.New("read-only transaction")
	// errTxDone is returned by a Tx used after its fn returned.
	errTxDone = errors.New("transaction finished")
)

// memTx is a Memory transaction over its own copy of the tables.
type memTx struct {
	t        tables
	writable bool
	done     bool
	owned    table // tables already cloned by this transaction
	// by is the actor of the Update's context, for its events' By.
	by string
}

func (tx *memTx) finish() { tx.done = true }

func (tx *memTx) read() error {
	if tx.done {
		return errTxDone
	}
	return nil
}

// write checks that tx may write and gives it its own copy of which.
func (tx *memTx) write(which table) error {
	if err := tx.read(); err != nil {
		return err
	}
	if !tx.writable {
		return errReadOnly
	}
	if which != 0 && tx.owned&which == 0 {
		tx.t.clone(which)
		tx.owned |= which
	}
	return nil
}

// GetApp implements Tx.
func (tx *memTx) GetApp() (App, error) {
	if err := tx.read(); err != nil {
		return App{}, err
	}
	if tx.t.app == nil {
		return App{}, fmt.Errorf("get app: %w", ErrNotFound)
	}
	return decodeV[App]("app", tx.t.app)
}

// PutApp implements Tx.
func (tx *memTx) PutApp(a App) error {
	if err := tx.write(0); err != nil {
		return fmt.Errorf("put app: %w", err)
	}
	b, err := putV("app", a.Name, a.StoreVersion, tx.t.app, a)
	if err != nil {
		return fmt.Errorf("put app: %w", err)
	}
	tx.t.app = b
	return nil
}

// GetService implements Tx.
func (tx *memTx) GetService(name string) (Service, error) {
	if err := tx.read(); err != nil {
		return Service{}, err
	}
	b, ok := tx.t.services[name]
	if !ok {
		return Service{}, fmt.Errorf("get service %q: %w", name, ErrNotFound)
	}
	return decodeV[Service]("service", b)
}

// ListServices implements Tx.
func (tx *memTx) ListServices() ([]Service, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	return decodeAll("service", sortedValues(tx.t.services), decodeV[Service])
}

// PutService implements Tx.
func (tx *memTx) PutService(s Service) error {
	if s.Name == "" {
		return errors.New("put service: empty name")
	}
	if err := tx.write(tableServices); err != nil {
		return fmt.Errorf("put service %q: %w", s.Name, err)
	}
	b, err := putV("service", s.Name, s.StoreVersion, tx.t.services[s.Name], s)
	if err != nil {
		return fmt.Errorf("put service %q: %w", s.Name, err)
	}
	tx.t.services[s.Name] = b
	return nil
}

// DeleteService implements Tx.
func (tx *memTx) DeleteService(name string) error {
	if err := tx.write(tableServices); err != nil {
		return fmt.Errorf("delete service %q: %w", name, err)
	}
	if _, ok := tx.t.services[name]; !ok {
		return fmt.Errorf("delete service %q: %w", name, ErrNotFound)
	}
	delete(tx.t.services, name)
	return nil
}

// CreateRevision implements Tx.
func (tx *memTx) CreateRevision(r Revision) (Revision, error) {
	if r.Service == "" {
		return Revision{}, errors.New("create revision: empty service")
	}
	if err := tx.write(tableRevisions); err != nil {
		return Revision{}, fmt.Errorf("create revision of %q: %w", r.Service, err)
	}
	// Clone the service's list too: older snapshots share its backing array.
	revs := slices.Clone(tx.t.revisions[r.Service])
	r.Number = len(revs) + 1
	b, err := encode("revision", r)
	if err != nil {
		return Revision{}, err
	}
	tx.t.revisions[r.Service] = append(revs, b)
	return decode[Revision]("revision", b)
}

// GetRevision implements Tx.
func (tx *memTx) GetRevision(service string, n int) (Revision, error) {
	if err := tx.read(); err != nil {
		return Revision{}, err
	}
	revs := tx.t.revisions[service]
	if n < 1 || n > len(revs) {
		return Revision{}, fmt.Errorf("get revision %s/%d: %w", service, n, ErrNotFound)
	}
	return decode[Revision]("revision", revs[n-1])
}

// ListRevisions implements Tx.
func (tx *memTx) ListRevisions(service string) ([]Revision, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	return decodeAll("revision", tx.t.revisions[service], decode[Revision])
}

// SetRevisionState implements Tx.
func (tx *memTx) SetRevisionState(service string, n int, state RevisionState, reason string) error {
	if err := tx.write(tableRevisions); err != nil {
		return fmt.Errorf("set revision state %s/%d: %w", service, n, err)
	}
	r, err := tx.GetRevision(service, n)
	if err != nil {
		return fmt.Errorf("set revision state: %w", err)
	}
	r.State, r.Reason = state, reason
	b, err := encode("revision", r)
	if err != nil {
		return err
	}
	revs := slices.Clone(tx.t.revisions[service])
	revs[n-1] = b
	tx.t.revisions[service] = revs
	return nil
}
