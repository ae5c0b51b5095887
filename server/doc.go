// Package server is Slipway's composition root: it opens the store, the
// artifact store and the local platform driver, wires the controllers to
// a keyed work queue, and serves the HTTP API. Run blocks until its
// context ends; instances keep running after it returns and are adopted
// by the next server over the same data directory.
package server
