// Package client is the Go client of Slipway's v1 HTTP API. It speaks only
// the wire types of package api, so the CLI (and any other program) can
// drive a server without importing the server's packages.
//
// Every method takes a context. Non-2xx responses come back as *Error,
// carrying the server's error kind and, for invalid specs, every problem
// with its file and line. A server that cannot be reached at all comes
// back as an error that wraps ErrUnreachable and tells the user how to
// start one.
package client
