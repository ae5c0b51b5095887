package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/store"
)

// A versioned table's rows carry the record's store version in a column
// of its own (store/version.go): reads select it beside data, writes
// check it.

// vdoc is doc for a versioned table: query selects version, data.
func (t *tx) vdoc(query string, args ...any) (versioned, error) {
	var v versioned
	err := t.row(query, args, &v.version, &v.data)
	return v, err
}

// vdocs is docs for a versioned table: query selects version, data.
func (t *tx) vdocs(query string, args ...any) ([]versioned, error) {
	return scanAll(t, func(s scanner) (v versioned, err error) {
		err = s.Scan(&v.version, &v.data)
		return
	}, query, args...)
}

// versioned is a stored document and its store version.
type versioned struct {
	version int64
	data    []byte
}

// decodeV decodes a versioned record and sets its store version,
// passing a lookup error through.
func (c codec[R, D]) decodeV(v versioned, err error) (R, error) {
	rec, err := c.decode(v.data, err)
	if err == nil {
		store.SetVersion(&rec, v.version)
	}
	return rec, err
}

// decodeAllV decodes versioned records, passing a query error through.
func (c codec[R, D]) decodeAllV(vs []versioned, err error) ([]R, error) {
	return decodeEach(vs, err, c.decodeV)
}

// vwrite is one version-checked write of a record.
type vwrite struct {
	kind, key string // for messages
	given     int64  // the version the writer read; 0 creates
	// insert (with insertArgs) creates the row at version 1; update
	// (with updateArgs, then given) changes it where its version is
	// still given, to version + 1. current (with keyArgs) selects the
	// stored version, to say why nothing changed.
	insert, update, current         string
	insertArgs, updateArgs, keyArgs []any
}

// checked runs w: an insert when w.given is 0, else an update.
func (t *tx) checked(w vwrite) error {
	if err := t.write(); err != nil {
		return err
	}
	var n int64
	var err error
	switch {
	case w.given == 0 && w.insert == "":
		// A record that only Create makes (an operation, a promotion).
	case w.given == 0:
		n, err = t.exec(w.insert, w.insertArgs...)
	default:
		n, err = t.exec(w.update, append(w.updateArgs, w.given)...)
	}
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	if err == nil && n == 1 {
		return nil
	}
	var stored int64
	if err := t.queryRow(w.current, w.keyArgs...).Scan(&stored); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read version of %s %s: %w", w.kind, w.key, err)
	}
	if err := store.CheckVersion(w.kind, w.key, w.given, stored); err != nil {
		return err
	}
	return store.NotFoundf("%s %s not found", w.kind, w.key)
}
