package sqlite

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/store"
)

// PutInstance implements store.Tx.
func (t *tx) PutInstance(i store.Instance) error {
	if i.ID == "" {
		return errors.New("put instance: empty id")
	}
	data, err := instanceCodec.encode(i)
	if err == nil {
		err = t.checked(vwrite{kind: "instance", key: i.ID, given: i.StoreVersion,
			insert:     `INSERT INTO instances (id, service, data, version) VALUES (?, ?, ?, 1)`,
			update:     `UPDATE instances SET service = ?, data = ?, version = version + 1 WHERE id = ? AND version = ?`,
			current:    `SELECT version FROM instances WHERE id = ?`,
			insertArgs: []any{i.ID, i.Service, data}, updateArgs: []any{i.Service, data, i.ID}, keyArgs: []any{i.ID}})
	}
	return wrap(err, "put instance %s", i.ID)
}

// GetInstance implements store.Tx.
func (t *tx) GetInstance(id string) (store.Instance, error) {
	i, err := instanceCodec.decodeV(t.vdoc(`SELECT version, data FROM instances WHERE id = ?`, id))
	return i, wrap(err, "get instance %s", id)
}

// ListInstances implements store.Tx.
func (t *tx) ListInstances(service string) ([]store.Instance, error) {
	if service == "" {
		is, err := instanceCodec.decodeAllV(t.vdocs(`SELECT version, data FROM instances ORDER BY id`))
		return is, wrap(err, "list instances")
	}
	is, err := instanceCodec.decodeAllV(t.vdocs(
		`SELECT version, data FROM instances WHERE service = ? ORDER BY id`, service))
	return is, wrap(err, "list instances of %q", service)
}

// DeleteInstance implements store.Tx.
func (t *tx) DeleteInstance(id string) error {
	err := mustChange(t.exec(`DELETE FROM instances WHERE id = ?`, id))
	return wrap(err, "delete instance %s", id)
}

// CreateOperation implements store.Tx.
func (t *tx) CreateOperation(op store.Operation) (store.Operation, error) {
	id, err := t.next(`SELECT MAX(id) FROM operations`)
	if err != nil {
		return store.Operation{}, wrap(err, "create operation")
	}
	op.ID, op.StoreVersion = id, 1
	data, err := operationCodec.encode(op)
	if err == nil {
		_, err = t.exec(`INSERT INTO operations (id, state, active, data) VALUES (?, ?, ?, ?)`,
			op.ID, op.State, !op.State.Terminal(), data)
	}
	if err != nil {
		return store.Operation{}, wrap(err, "create operation")
	}
	return op, nil
}

// PutOperation implements store.Tx.
func (t *tx) PutOperation(op store.Operation) error {
	data, err := operationCodec.encode(op)
	if err == nil {
		key := strconv.FormatInt(op.ID, 10)
		err = t.checked(vwrite{kind: "operation", key: key, given: op.StoreVersion,
			update:     `UPDATE operations SET state = ?, active = ?, data = ?, version = version + 1 WHERE id = ? AND version = ?`,
			current:    `SELECT version FROM operations WHERE id = ?`,
			updateArgs: []any{op.State, !op.State.Terminal(), data, op.ID}, keyArgs: []any{op.ID}})
	}
	return wrap(err, "put operation %d", op.ID)
}

// GetOperation implements store.Tx.
func (t *tx) GetOperation(id int64) (store.Operation, error) {
	op, err := operationCodec.decodeV(t.vdoc(`SELECT version, data FROM operations WHERE id = ?`, id))
	return op, wrap(err, "get operation %d", id)
}

// ListOperations implements store.Tx.
func (t *tx) ListOperations(activeOnly bool, limit int) ([]store.Operation, error) {
	query := `SELECT version, data FROM operations ORDER BY id DESC LIMIT ?`
	if activeOnly {
		query = `SELECT version, data FROM operations WHERE active = 1 ORDER BY id DESC LIMIT ?`
	}
	ops, err := operationCodec.decodeAllV(t.vdocs(query, limitArg(limit)))
	return ops, wrap(err, "list operations")
}

// AppendEvent implements store.Tx.
func (t *tx) AppendEvent(e store.Event) (store.Event, error) {
	seq, err := t.next(`SELECT MAX(seq) FROM events`)
	if err != nil {
		return store.Event{}, wrap(err, "append event")
	}
	e.Seq = seq
	if e.By == "" {
		e.By = store.ActorFrom(t.ctx)
	}
	data, err := eventCodec.encode(e)
	if err == nil {
		_, err = t.exec(`INSERT INTO events (seq, service, type, data) VALUES (?, ?, ?, ?)`, e.Seq, e.Service, string(e.Type), data)
	}
	if err != nil {
		return store.Event{}, wrap(err, "append event")
	}
	return eventCodec.decode([]byte(data), nil)
}

// Event queries, named for the query-plan test.
const (
	eventsAll       = `SELECT data FROM events WHERE seq > ? ORDER BY seq LIMIT ?`
	eventsOfService = `SELECT data FROM events WHERE service = ? AND seq > ? ORDER BY seq LIMIT ?`
	// Newest first, below a seq (math.MaxInt64 for none).
	eventsBefore          = `SELECT data FROM events WHERE seq < ? ORDER BY seq DESC LIMIT ?`
	eventsOfServiceBefore = `SELECT data FROM events WHERE service = ? AND seq < ? ORDER BY seq DESC LIMIT ?`
)

// ListEvents implements store.Tx.
func (t *tx) ListEvents(after int64, service string, limit int) ([]store.Event, error) {
	if service == "" {
		evs, err := eventCodec.decodeAll(t.docs(eventsAll, after, limitArg(limit)))
		return evs, wrap(err, "list events")
	}
	evs, err := eventCodec.decodeAll(t.docs(eventsOfService, service, after, limitArg(limit)))
	return evs, wrap(err, "list events of %q", service)
}

// ListEventsBefore implements store.Tx.
func (t *tx) ListEventsBefore(before int64, service string, limit int) ([]store.Event, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	if service == "" {
		evs, err := eventCodec.decodeAll(t.docs(eventsBefore, before, limitArg(limit)))
		return evs, wrap(err, "list events before %d", before)
	}
	evs, err := eventCodec.decodeAll(t.docs(eventsOfServiceBefore, service, before, limitArg(limit)))
	return evs, wrap(err, "list events of %q before %d", service, before)
}

// ListEventsOfType implements store.Tx.
func (t *tx) ListEventsOfType(after int64, types []store.EventType, limit int) ([]store.Event, error) {
	if len(types) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(types)+2)
	for _, typ := range types {
		args = append(args, string(typ))
	}
	args = append(args, after, limitArg(limit))
	evs, err := eventCodec.decodeAll(t.docs(eventsOfTypes(len(types)), args...))
	return evs, wrap(err, "list events of type %v", types)
}

// eventsOfTypes is the query for events of n types (named for the
// query-plan test): a scan in seq order that checks each row's type
// column and decodes only the rows that match.
func eventsOfTypes(n int) string {
	return `SELECT data FROM events WHERE type IN (?` + strings.Repeat(", ?", n-1) +
		`) AND seq > ? ORDER BY seq LIMIT ?`
}
