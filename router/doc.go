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
//
// Bodiless GET, HEAD and OPTIONS requests take a fast path, on the
// serving goroutine and over a per-instance pool of keep-alive
// connections (fastpath.go, pconn.go, pool.go): the client's request is
// written to the instance as the route's httputil.ReverseProxy would
// send it, without copying it (forward.go), and the usual answer is
// parsed from the connection's buffer (response.go). Everything else
// (bodies, upgrades) goes through the ReverseProxy and http.Transport.
//
// The router's listener is served by router/front, an HTTP/1.1 front
// that answers the common requests itself and hands every other
// connection to an http.Server whose Handler is the Router.
package router
