// Package sqlite is the default store.Store: one SQLite database file,
// through modernc.org/sqlite (pure Go, no cgo).
//
// Durability. The database runs in WAL mode with synchronous=NORMAL. A
// commit is written to the WAL before Update returns, so killing the
// process (kill -9, a crash, an OOM kill) at any moment loses nothing that
// was committed and never leaves a transaction half-applied. What NORMAL
// gives up against FULL is the fsync of the WAL on each commit: a power
// loss or kernel crash may roll the database back to its last checkpoint
// (still consistent, never corrupt). That is the trade the brief asks for:
// Slipway must survive its own process dying; the host losing power is
// rare, and it takes the running instances down with it anyway.
//
// Concurrency. Writes go through a pool of exactly one connection and each
// Update is BEGIN IMMEDIATE ... COMMIT, so writers are serialized in the
// process and take SQLite's write lock up front (no deadlock upgrading a
// read lock; another process waits up to busy_timeout). Views use a
// separate pool of query_only connections; in WAL mode they read a
// consistent snapshot without blocking the writer or being blocked by it.
//
// Layout. Each record is a JSON document in a data column, next to the
// columns the queries filter and order on (service name, revision number,
// instance id, event seq and service, operation state). The schema carries
// a version in schema_version and is brought forward, never back, by the
// migrations in schema.go, each applied in one transaction at Open.
//
// Documents. What a data column holds is a document type of this package
// (doc_*.go), never a domain type serialized as is: every write and read
// goes through the kind's codec (doc_codec.go), which converts the record
// to its document and back. A field renamed in spec, analysis or mirror
// thus changes the conversion, not the database. The golden files in
// testdata/golden pin each kind's JSON: a change to a document ships with
// a migration or a read-side rule for old documents, and a test on old
// data (testdata/release-2026-11 is the data of the November 2026
// release).
package sqlite
