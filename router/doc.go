// Package router is Slipway's L7 traffic router. It sends each request to
// one ready instance of the service whose route matches (host, then the
// longest path prefix), splits a service's traffic between revisions by
// weight, pins a request to a revision by header or cookie, balances by
// least outstanding requests (power of two random choices), retries on
// another instance when a connection cannot be made, takes instances
// that fail out of rotation for a while (passive health), and tracks
// in-flight requests per instance so that an instance leaving rotation
// can be drained before it is stopped.
//
// The routing table is an immutable value swapped atomically (Update):
// the request path reads it without locks.
package router
