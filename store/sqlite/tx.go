package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/slipway-dev/slipway/store"
)

var (
	// errReadOnly is returned by writes through a View transaction.
	errReadOnly = errors.New("read-only transaction")
	// errTxDone is returned by a Tx used after its fn returned.
	errTxDone = errors.New("transaction finished")
)

// tx is a store.Tx over one SQL transaction.
type tx struct {
	ctx      context.Context
	q        *sql.Tx
	stmts    *stmts
	writable bool
	done     bool
}

func (t *tx) finish() { t.done = true }

func (t *tx) read() error {
	if t.done {
		return errTxDone
	}
	return nil
}

func (t *tx) write() error {
	if err := t.read(); err != nil {
		return err
	}
	if !t.writable {
		return errReadOnly
	}
	return nil
}

// doc returns the data column of the one row query selects, wrapping
// ErrNotFound when there is none.
func (t *tx) doc(query string, args ...any) ([]byte, error) {
	var b []byte
	err := t.row(query, args, &b)
	return b, err
}

// docs returns the data column of every row query selects.
func (t *tx) docs(query string, args ...any) ([][]byte, error) {
	return scanAll(t, func(s scanner) (b []byte, err error) {
		err = s.Scan(&b)
		return
	}, query, args...)
}

// row scans the one row query selects into dest, ErrNotFound when there
// is none.
func (t *tx) row(query string, args []any, dest ...any) error {
	if err := t.read(); err != nil {
		return err
	}
	err := t.queryRow(query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// scanner is a row to scan.
type scanner interface{ Scan(dest ...any) error }

// scanAll returns what scan makes of every row query selects.
func scanAll[T any](t *tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	if err := t.read(); err != nil {
		return nil, err
	}
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// queryRow, query and execute run a statement, prepared once it has been
// seen (see stmts).
func (t *tx) queryRow(query string, args ...any) *sql.Row {
	if st, ok := t.stmts.lookup(query); ok {
		return t.q.StmtContext(t.ctx, st).QueryRowContext(t.ctx, args...)
	}
	return t.q.QueryRowContext(t.ctx, query, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	if st, ok := t.stmts.lookup(query); ok {
		return t.q.StmtContext(t.ctx, st).QueryContext(t.ctx, args...)
	}
	return t.q.QueryContext(t.ctx, query, args...)
}

func (t *tx) execute(query string, args ...any) (sql.Result, error) {
	if st, ok := t.stmts.lookup(query); ok {
		return t.q.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
	}
	return t.q.ExecContext(t.ctx, query, args...)
}

// exec runs a write and returns how many rows it changed.
func (t *tx) exec(query string, args ...any) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	res, err := t.execute(query, args...)
	if err != nil {
		return 0, classify(err)
	}
	return res.RowsAffected()
}

// next returns one more than the integer query selects (1 on no rows).
func (t *tx) next(query string, args ...any) (int64, error) {
	if err := t.write(); err != nil {
		return 0, err
	}
	var n int64
	err := t.q.QueryRowContext(t.ctx, "SELECT COALESCE(("+query+"), 0) + 1", args...).Scan(&n)
	return n, err
}

// mustChange turns "no row changed" into ErrNotFound.
func mustChange(n int64, err error) error {
	if err == nil && n == 0 {
		return store.ErrNotFound
	}
	return err
}

// classify wraps store.ErrConflict around constraint violations.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}

// limitArg maps the contract's "limit <= 0: no limit" to SQLite's LIMIT -1.
func limitArg(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}
