package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestMigrationFillsEventTypes opens a database made by a binary of schema
// version 2 (events without a type column) and checks that the events it
// holds are found by type afterwards.
func TestMigrationFillsEventTypes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slipway.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{migrations[0], migrations[1],
		`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2)`,
		`INSERT INTO events (seq, service, data) VALUES
			(1, 'order', '{"seq":1,"type":"incident.opened","service":"order","message":"a"}'),
			(2, 'order', '{"seq":2,"type":"instance.ready","service":"order","message":"b"}')`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx store.Tx) error {
		evs, err := tx.ListEventsOfType(0, []store.EventType{store.EventIncidentOpened}, 0)
		if err == nil && (len(evs) != 1 || evs[0].Seq != 1) {
			t.Errorf("incident events after migration: %+v", evs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrationVersionsOldRows opens a database of schema version 4
// (records without store versions) and checks that its rows read at
// version 1, that a write naming version 1 succeeds and one naming none
// is a conflict.
func TestMigrationVersionsOldRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "slipway.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	stmts := append(append([]string{}, migrations[:4]...),
		`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4)`,
		`INSERT INTO services (name, data) VALUES ('order', '{"name":"order","revision":2,"stable":1,"phase":"Ready","traffic":{},"updatedAt":"2026-11-27T12:00:00Z"}')`,
		`INSERT INTO operations (id, state, active, data) VALUES (1, 'Running', 1, '{"id":1,"kind":"apply","state":"Running","changes":null,"createdAt":"2026-11-27T12:00:00Z","updatedAt":"2026-11-27T12:00:00Z"}')`,
	)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var svc store.Service
	var op store.Operation
	err = s.View(context.Background(), func(tx store.Tx) error {
		if svc, err = tx.GetService("order"); err != nil {
			return err
		}
		op, err = tx.GetOperation(1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if svc.StoreVersion != 1 || svc.Revision != 2 || op.StoreVersion != 1 {
		t.Fatalf("old rows after migration: service %+v, operation %+v", svc, op)
	}
	blind := svc
	blind.StoreVersion = 0
	err = s.Update(context.Background(), func(tx store.Tx) error { return tx.PutService(blind) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("a write naming no version over an old row: %v, want a conflict", err)
	}
	svc.Phase = store.PhaseProgressing
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.PutService(svc) }); err != nil {
		t.Errorf("a write naming version 1 over an old row: %v", err)
	}
}
