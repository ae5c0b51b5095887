package sqlite

import (
	"context"
	"database/sql"
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
