// Package storetest is the conformance suite for store.Store: every backend
// (store.Memory, store/sqlite) runs Run from its own tests and must pass
// every subtest. A subtest checks one clause of the contract documented on
// store.Store and store.Tx.
package storetest
