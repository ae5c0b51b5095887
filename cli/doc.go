// Package cli is the slipway command line: the cobra command tree, one
// file per verb. Commands reach a server only through package client and
// the wire types of package api; the spec is parsed and checked locally
// (package spec) before anything is sent, so a bad slipway.yaml is
// reported with file and line without a server.
//
// Run executes the tree and returns the process exit code: 0 on success,
// 1 when a command fails, 2 on a usage error (unknown command or flag,
// wrong arguments).
package cli
