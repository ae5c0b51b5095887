package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent copy of the database to dst with SQLite's
// VACUUM INTO: one read transaction's snapshot, so writers go on while it
// runs (WAL) and the copy holds every transaction committed before it
// began and none after. dst must not exist. It runs on a connection of
// its own: the readers are query_only, which VACUUM INTO's writes to dst
// would trip, and the writer must stay free for the controllers.
func (s *Store) Backup(ctx context.Context, dst string) error {
	if strings.ContainsRune(dst, '\'') || dst == "" {
		return fmt.Errorf("backup to %q: the path must be non-empty without a quote", dst)
	}
	db, err := sql.Open("sqlite", s.path+"?"+backupDSN())
	if err != nil {
		return fmt.Errorf("backup %s: %w", s.path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO '"+dst+"'"); err != nil {
		return fmt.Errorf("backup %s into %s: %w", s.path, dst, err)
	}
	return nil
}

// backupDSN is Backup's connection: it waits for locks as the store's own
// connections do, and never changes the source.
func backupDSN() string {
	return "_pragma=busy_timeout(10000)"
}

// Check opens the database file at path read-only and runs SQLite's own
// checks over it: PRAGMA integrity_check (every page, index and
// constraint) and PRAGMA foreign_key_check. It returns every problem they
// report, joined; nil means the file is sound.
func Check(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer db.Close()
	var problems []error
	rows, err := queryStrings(ctx, db, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("check %s: integrity_check: %w", path, err)
	}
	if len(rows) != 1 || rows[0] != "ok" {
		for _, r := range rows {
			problems = append(problems, fmt.Errorf("integrity_check: %s", r))
		}
	}
	fks, err := queryStrings(ctx, db, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("check %s: foreign_key_check: %w", path, err)
	}
	for _, r := range fks {
		problems = append(problems, fmt.Errorf("foreign_key_check: %s", r))
	}
	if len(problems) > 0 {
		return fmt.Errorf("check %s: %w", path, errors.Join(problems...))
	}
	return nil
}

// queryStrings runs q and returns each row's columns joined by spaces.
func queryStrings(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out, rows.Err()
}
