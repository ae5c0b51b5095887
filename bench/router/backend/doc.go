// Package main, the command backend, is the upstream of bench/router: an HTTP server that
// answers every request with the same 100-byte body, keep-alive, and does
// nothing else. It runs as its own process so that its CPU time is not
// counted as the proxy's.
//
//	backend -listen 127.0.0.1:PORT
//
// It stops on SIGTERM or SIGINT.
package main
