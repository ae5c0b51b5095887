package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"

	"modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/slipway-dev/slipway/store"
)

// Store is a store.Store in one SQLite file. Safe for concurrent use.
type Store struct {
	path   string  // the database file
	w      *sql.DB // the single writer connection
	r      *sql.DB // query_only connections for View
	wStmts *stmts  // statements prepared on w
	rStmts *stmts  // statements prepared on r
}

var _ store.Store = (*Store)(nil)

// readers is the size of the View connection pool.
const readers = 4

// Open opens (creating it if needed) the database at path and brings its
// schema up to date.
func Open(path string) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open store %q: path must be non-empty without '?'", path)
	}
	w, err := sql.Open("sqlite", path+"?"+dsn(false))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetMaxIdleConns(1)
	if err := migrate(context.Background(), w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", path+"?"+dsn(true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	return &Store{path: path, w: w, r: r, wStmts: newStmts(w), rStmts: newStmts(r)}, nil
}

// dsn returns the connection parameters, applied to every connection.
// journal_mode is set by the writer only: it is a property of the file.
// cache_size is 16 MB (default 2 MB): one service's events are spread over
// the whole events table, and a range scan of them over 100,000 events
// ran 3x slower with the default cache (see BenchmarkListEvents100k).
func dsn(readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-16000)")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	return q.Encode()
}

// View runs fn in a read transaction on a snapshot of the database.
func (s *Store) View(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := s.rStmts.prepare(ctx); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	sqlTx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin view: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{ctx: ctx, q: sqlTx, stmts: s.rStmts}
	defer t.finish()
	return fn(t)
}

// Update runs fn in a BEGIN IMMEDIATE transaction, committed when fn
// returns nil and rolled back otherwise (fn's error is returned as is).
func (s *Store) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := s.wStmts.prepare(ctx); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return noSpace(fmt.Errorf("begin update: %w", err))
	}
	defer sqlTx.Rollback() // after a Commit: a no-op returning ErrTxDone
	t := &tx{ctx: ctx, q: sqlTx, stmts: s.wStmts, writable: true}
	defer t.finish()
	if err := fn(t); err != nil {
		return noSpace(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return noSpace(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// sqliteFull is SQLITE_FULL, the primary result code of a write that
// found the disk full (SQLite's unix VFS reports ENOSPC so).
const sqliteFull = 13

// noSpace marks an error caused by a full disk with store.ErrNoSpace, so
// that callers can say so; any other error is returned as is.
func noSpace(err error) error {
	var se *sqlite.Error
	if (errors.As(err, &se) && se.Code()&0xff == sqliteFull) || errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("%w: %w", store.ErrNoSpace, err)
	}
	return err
}

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.rStmts.close(), s.wStmts.close(), s.r.Close(), s.w.Close())
}
