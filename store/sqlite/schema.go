package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations bring the schema from version i to i+1. They only ever grow:
// never edit one that has shipped; add a new one instead.
//
// operations.active caches !OperationState.Terminal() so that
// ListOperations(activeOnly) reads a small partial index, and
// promotions.active !PromotionState.Terminal() for ListPromotions; a
// change to either Terminal() needs a migration that recomputes it.
var migrations = []string{
	`CREATE TABLE app (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		data TEXT NOT NULL
	);
	CREATE TABLE services (
		name TEXT PRIMARY KEY,
		data TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE TABLE revisions (
		service TEXT NOT NULL,
		number  INTEGER NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (service, number)
	) WITHOUT ROWID;
	CREATE TABLE instances (
		id      TEXT PRIMARY KEY,
		service TEXT NOT NULL,
		data    TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX instances_service ON instances (service, id);
	CREATE TABLE operations (
		id     INTEGER PRIMARY KEY,
		state  TEXT NOT NULL,
		active INTEGER NOT NULL,
		data   TEXT NOT NULL
	);
	CREATE INDEX operations_active ON operations (id) WHERE active = 1;
	CREATE TABLE events (
		seq     INTEGER PRIMARY KEY,
		service TEXT NOT NULL,
		data    TEXT NOT NULL
	);
	CREATE INDEX events_service_seq ON events (service, seq);`,
	`CREATE TABLE flag_configs (
		revision INTEGER PRIMARY KEY,
		data     TEXT NOT NULL
	);
	CREATE TABLE flag_usage (
		key       TEXT PRIMARY KEY,
		evaluated TEXT NOT NULL
	) WITHOUT ROWID;`,
	// The event type in a column of its own: readers of a few kinds of
	// event (DORA, incidents) skip the rest without decoding them. Not
	// indexed: what DORA reads is spread over every page of a real log,
	// and one pass in seq order reads them faster than index lookups
	// (bench/dora, 100,000 events of which 20,721 read: 164 ms in one
	// pass, 285 ms through an index on (type, seq)).
	`ALTER TABLE events ADD COLUMN type TEXT NOT NULL DEFAULT '';
	UPDATE events SET type = coalesce(json_extract(data, '$.type'), '');`,
	// Pushed versions and their promotions through environments. seq
	// (the rowid) keeps push order across services; a version's digest
	// is a column so that a re-push compares it without decoding. The
	// active promotions, few, have partial indexes of their own, one for
	// every service and one by service: without the second, SQLite reads
	// all of a service's promotions to find its active ones.
	`CREATE TABLE versions (
		service TEXT NOT NULL,
		version TEXT NOT NULL,
		seq     INTEGER PRIMARY KEY,
		digest  TEXT NOT NULL,
		data    TEXT NOT NULL,
		UNIQUE (service, version)
	);
	CREATE INDEX versions_service_seq ON versions (service, seq);
	CREATE INDEX versions_service_digest ON versions (service, digest, seq);
	CREATE TABLE promotions (
		id      INTEGER PRIMARY KEY,
		service TEXT NOT NULL,
		active  INTEGER NOT NULL,
		data    TEXT NOT NULL
	);
	CREATE INDEX promotions_service ON promotions (service, id);
	CREATE INDEX promotions_active ON promotions (id) WHERE active = 1;
	CREATE INDEX promotions_service_active ON promotions (service, id) WHERE active = 1;`,
	// Store versions of the mutable records (store/version.go): a write
	// names the version it read and changes the row only if it is still
	// the stored one. Rows written before start at version 1.
	`ALTER TABLE app ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE services ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE instances ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE operations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE promotions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;`,
	// The registry of the environments a server hosts (in the default
	// environment's database only), which was DATA/environments.json.
	// version is the record's write count, a column so that a write
	// checks it without decoding.
	`CREATE TABLE environments (
		name    TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		data    TEXT NOT NULL
	) WITHOUT ROWID;`,
	// API tokens (issue 12), in the default environment's database: a
	// name, a role and the SHA-256 of the value, never the value.
	`CREATE TABLE tokens (
		name    TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		data    TEXT NOT NULL
	) WITHOUT ROWID;`,
	// Secrets (issue 17): every version of each, sealed by the server's
	// key; the value is never stored.
	`CREATE TABLE secrets (
		name    TEXT NOT NULL,
		version INTEGER NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (name, version)
	) WITHOUT ROWID;`,
	// Dynamic configurations (issue 15): immutable numbered versions of
	// each config, and each config's latest delivery (version-checked).
	`CREATE TABLE config_versions (
		name    TEXT NOT NULL,
		version INTEGER NOT NULL,
		data    TEXT NOT NULL,
		PRIMARY KEY (name, version)
	) WITHOUT ROWID;
	CREATE TABLE config_deliveries (
		name    TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		data    TEXT NOT NULL
	) WITHOUT ROWID;`,
	// Notifications (issue 17): each sink's cursor over this store's
	// event log (version-checked), and the nonces of the one-time
	// approval links used (a link works once).
	`CREATE TABLE sink_cursors (
		sink    TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		data    TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE TABLE link_uses (
		nonce TEXT PRIMARY KEY,
		data  TEXT NOT NULL
	) WITHOUT ROWID;`,
}

// migrate applies the migrations db has not seen yet, all in one
// transaction, and refuses a database newer than this binary.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	version, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this binary (%d)", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, len(migrations)); err != nil {
		return fmt.Errorf("set schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration: %w", err)
	}
	return nil
}

// schemaVersion creates the schema_version table when missing and returns
// the version it holds (0 for a new database).
func schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	const create = `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
		INSERT INTO schema_version (version)
		SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);`
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return 0, fmt.Errorf("create schema_version: %w", err)
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
