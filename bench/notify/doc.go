// Package main is the command bench/notify: how long a notification
// takes from the moment its event is committed to the moment a webhook
// receiver has it, against the floor, a direct signed HTTP POST of the
// same body to the same receiver. It runs package notify in-process over
// a real SQLite store and a real loopback HTTP receiver, and prints a
// table (p50, p99, max over -n events, one at a time), then the time to
// deliver a burst of -burst events appended in one transaction.
package main
