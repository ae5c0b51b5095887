// Package main, the command slipway, is the Slipway command line and server in one binary.
// The client verbs live in package cli, which talks to a server only
// through package client; this package adds the commands that run a
// server in-process (server, demo) and the demo's hidden example-app,
// and main wires the process to them.
package main
