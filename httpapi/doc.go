// Package httpapi serves Slipway's v1 HTTP API (see package api for the
// endpoints and wire types). Handlers validate at the boundary, make
// their change inside one store transaction, and leave the rest to the
// controllers. Errors are mapped to HTTP status in exactly one place,
// writeError.
package httpapi
