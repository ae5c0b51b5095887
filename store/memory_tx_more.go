package store

import (
	"errors"
	"fmt"
	"slices"
)

// PutInstance implements Tx.
func (tx *memTx) PutInstance(i Instance) error {
	if i.ID == "" {
		return errors.New("put instance: empty id")
	}
	if err := tx.write(tableInstances); err != nil {
		return fmt.Errorf("put instance %s: %w", i.ID, err)
	}
	b, err := putV("instance", i.ID, i.StoreVersion, tx.t.instances[i.ID], i)
	if err != nil {
		return fmt.Errorf("put instance %s: %w", i.ID, err)
	}
	tx.t.instances[i.ID] = b
	tx.t.index(i.ID, i.Service)
	return nil
}

// GetInstance implements Tx.
func (tx *memTx) GetInstance(id string) (Instance, error) {
	if err := tx.read(); err != nil {
		return Instance{}, err
	}
	b, ok := tx.t.instances[id]
	if !ok {
		return Instance{}, fmt.Errorf("get instance %s: %w", id, ErrNotFound)
	}
	return decodeV[Instance]("instance", b)
}

// ListInstances implements Tx.
func (tx *memTx) ListInstances(service string) ([]Instance, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	if service == "" {
		return decodeAll("instance", sortedValues(tx.t.instances), decodeV[Instance])
	}
	ids := tx.t.byService[service]
	docs := make([][]byte, len(ids))
	for i, id := range ids {
		docs[i] = tx.t.instances[id]
	}
	return decodeAll("instance", docs, decodeV[Instance])
}

// DeleteInstance implements Tx.
func (tx *memTx) DeleteInstance(id string) error {
	if err := tx.write(tableInstances); err != nil {
		return fmt.Errorf("delete instance %s: %w", id, err)
	}
	if _, ok := tx.t.instances[id]; !ok {
		return fmt.Errorf("delete instance %s: %w", id, ErrNotFound)
	}
	delete(tx.t.instances, id)
	tx.t.unindex(id)
	return nil
}

// CreateOperation implements Tx.
func (tx *memTx) CreateOperation(op Operation) (Operation, error) {
	if err := tx.write(tableOperations); err != nil {
		return Operation{}, fmt.Errorf("create operation: %w", err)
	}
	op.ID = int64(len(tx.t.operations) + 1)
	b, err := encodeV("operation", 1, op)
	if err != nil {
		return Operation{}, err
	}
	tx.t.operations = append(tx.t.operations, b)
	return decodeV[Operation]("operation", b)
}

// PutOperation implements Tx.
func (tx *memTx) PutOperation(op Operation) error {
	if err := tx.write(tableOperations); err != nil {
		return fmt.Errorf("put operation %d: %w", op.ID, err)
	}
	if op.ID < 1 || op.ID > int64(len(tx.t.operations)) {
		return fmt.Errorf("put operation %d: %w", op.ID, ErrNotFound)
	}
	b, err := putV("operation", fmt.Sprint(op.ID), op.StoreVersion, tx.t.operations[op.ID-1], op)
	if err != nil {
		return fmt.Errorf("put operation %d: %w", op.ID, err)
	}
	tx.t.operations[op.ID-1] = b
	return nil
}

// GetOperation implements Tx.
func (tx *memTx) GetOperation(id int64) (Operation, error) {
	if err := tx.read(); err != nil {
		return Operation{}, err
	}
	if id < 1 || id > int64(len(tx.t.operations)) {
		return Operation{}, fmt.Errorf("get operation %d: %w", id, ErrNotFound)
	}
	return decodeV[Operation]("operation", tx.t.operations[id-1])
}

// ListOperations implements Tx.
func (tx *memTx) ListOperations(activeOnly bool, limit int) ([]Operation, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var out []Operation
	for i := len(tx.t.operations) - 1; i >= 0 && !full(len(out), limit); i-- {
		op, err := decodeV[Operation]("operation", tx.t.operations[i])
		if err != nil {
			return nil, err
		}
		if !activeOnly || !op.State.Terminal() {
			out = append(out, op)
		}
	}
	return out, nil
}

// AppendEvent implements Tx.
func (tx *memTx) AppendEvent(e Event) (Event, error) {
	if err := tx.write(0); err != nil {
		return Event{}, fmt.Errorf("append event: %w", err)
	}
	e.Seq = int64(len(tx.t.events) + 1)
	if e.By == "" {
		e.By = tx.by
	}
	b, err := encode("event", e)
	if err != nil {
		return Event{}, err
	}
	// Appending past the committed length is safe: see tables.
	tx.t.events = append(tx.t.events, eventDoc{service: e.Service, typ: e.Type, doc: b})
	return decode[Event]("event", b)
}

// ListEvents implements Tx.
func (tx *memTx) ListEvents(after int64, service string, limit int) ([]Event, error) {
	return tx.listEvents(after, limit, func(d eventDoc) bool { return service == "" || d.service == service })
}

// ListEventsBefore implements Tx.
func (tx *memTx) ListEventsBefore(before int64, service string, limit int) ([]Event, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	n := int64(len(tx.t.events))
	if before > 0 {
		n = min(n, before-1) // event seq s is at index s-1
	}
	var out []Event
	for i := n - 1; i >= 0 && !full(len(out), limit); i-- {
		stored := tx.t.events[i]
		if service != "" && stored.service != service {
			continue
		}
		e, err := decode[Event]("event", stored.doc)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ListEventsOfType implements Tx.
func (tx *memTx) ListEventsOfType(after int64, types []EventType, limit int) ([]Event, error) {
	return tx.listEvents(after, limit, func(d eventDoc) bool { return slices.Contains(types, d.typ) })
}

// listEvents decodes up to limit events after seq after that keep wants.
func (tx *memTx) listEvents(after int64, limit int, keep func(eventDoc) bool) ([]Event, error) {
	if err := tx.read(); err != nil {
		return nil, err
	}
	var out []Event
	for i := max(after, 0); i < int64(len(tx.t.events)) && !full(len(out), limit); i++ {
		stored := tx.t.events[i]
		if !keep(stored) {
			continue
		}
		e, err := decode[Event]("event", stored.doc)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// full reports whether a list of n items has reached limit (<= 0: none).
func full(n, limit int) bool { return limit > 0 && n >= limit }
