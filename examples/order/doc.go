// Package main, the command order, is the example `order` service: the shop service (see
// package shop) under the name "order", listening on --port.
package main
