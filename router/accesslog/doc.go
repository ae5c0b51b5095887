// Package accesslog writes the router's access log: one JSON line per
// request (time, host, path, method, status, duration, revision,
// instance, bytes, protocol, trace id), off the request's path: Handler
// hands each line to a buffered channel, and a Log's writer goroutine
// writes them to a file that it rotates by size. When the channel is
// full the line is dropped and counted (Dropped), so a slow disk never
// slows requests.
//
// Handler also propagates W3C Trace Context: a request's valid
// traceparent is kept; one without (or with an invalid one) gets a new
// trace, so a request can be followed from the router into the service.
package accesslog
