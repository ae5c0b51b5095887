// Package store defines Slipway's source of truth: the records (app,
// services, revisions, instances, operations, events), the Store contract
// every backend implements, and an in-memory backend for tests.
//
// store/sqlite is the default backend; storetest holds the conformance
// suite both pass.
package store
