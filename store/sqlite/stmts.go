package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmts caches one pool's prepared statements by query text: parsing SQL
// cost as much as running it in a reconcile pass.
//
// A statement is prepared outside any transaction (database/sql takes a
// connection of its own to prepare, and a pool's connections may all be
// in transactions, the writer's single one always is during an Update).
// So a query seen for the first time runs unprepared and is prepared at
// the start of the next transaction; from then on transactions bind the
// prepared statement to their own connection.
type stmts struct {
	db     *sql.DB
	mu     sync.Mutex // guards m and wanted
	m      map[string]*sql.Stmt
	wanted map[string]bool
}

func newStmts(db *sql.DB) *stmts {
	return &stmts{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// lookup returns query's prepared statement, or notes that it is wanted.
func (c *stmts) lookup(query string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[query]
	if !ok {
		c.wanted[query] = true
	}
	return s, ok
}

// prepare prepares the wanted statements. Call it with no transaction
// open on the pool by this goroutine. c.mu is not held while preparing:
// preparing waits for a connection, and a transaction holding one may
// need c.mu (lookup) to finish.
func (c *stmts) prepare(ctx context.Context) error {
	c.mu.Lock()
	var want []string
	for q := range c.wanted {
		want = append(want, q)
	}
	c.mu.Unlock()
	for _, q := range want {
		s, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		c.mu.Lock()
		if _, dup := c.m[q]; dup {
			s.Close()
		} else {
			c.m[q] = s
		}
		delete(c.wanted, q)
		c.mu.Unlock()
	}
	return nil
}

// close closes every cached statement.
func (c *stmts) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, s := range c.m {
		errs = append(errs, s.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}
