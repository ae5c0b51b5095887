// Package backup copies a server's data folder while it runs and restores
// the copy into a new one.
//
// Write takes an online, consistent copy of every environment's SQLite
// database (VACUUM INTO through store/sqlite: each one a snapshot of its
// committed transactions; rollouts go on meanwhile) and streams them as a
// tar, with the artifacts their revisions run and a manifest naming the
// data folder they came from. Restore unpacks such a tar into a new, empty
// data folder (offline: no server runs there yet), checks each database
// (SQLite's integrity and foreign-key checks and store.Check's
// invariants), and writes the records a server's local platform adopts
// instances by (workload/process: pid + start time), for every instance
// process still running from the source folder. The server started on
// the restored folder then adopts the instances its records name, and its
// sweep stops the ones they do not (started after the backup).
//
// The tar's layout is the data folder's: slipway.db (the default
// environment, also the hub), envs/NAME/slipway.db, artifacts/..., and
// backup.json (the Manifest) first.
package backup
