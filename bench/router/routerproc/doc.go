// Package main, the command routerproc, serves Slipway's router, and nothing else, for
// bench/router: one route ("/", any host) to one backend, or split 90/10
// between revision 1 and revision 2 when -canary is given. The HTTP server
// has the settings of server/router.go, so what is measured is the router
// as `slipway server --router` runs it, without the control plane around it.
//
//	routerproc -listen 127.0.0.1:P -backend 127.0.0.1:B [-canary 127.0.0.1:C] [-pprof 127.0.0.1:Q]
//
// With -pprof it serves net/http/pprof on that (separate) address, so the
// benchmark can take a CPU profile during a run. It stops on SIGTERM or
// SIGINT.
package main
