// Package edge is the router's TLS edge: it terminates TLS on an
// environment's TLS listener in front of the same router.Router that
// serves its plain listener, so routing, weights, stickiness, pins,
// mirroring and metrics are the router's whatever the protocol.
//
// Certificates come from a route's own files (Route.TLS) or, for every
// other host, from an ACME CA through certmagic: HTTP-01 answered on
// the plain listener (Edge.Plain), TLS-ALPN-01 on the TLS one, and
// DNS-01 for wildcard hosts through a hook program (dns.go); kept in a
// storage folder that every environment's edge shares, and renewed in
// the background. SNI picks the certificate: a route's exact host, then
// its wildcard, then ACME's. HTTP/2 is negotiated by ALPN (net/http's
// server); backends are reached over HTTP/1.1 by the router.
//
// A route with a client CA asks for and verifies client certificates
// on its hosts (mutual TLS); a request whose Host differs from the name
// its TLS handshake was for gets 421, so a verified connection to one
// host cannot reach another host's route, nor an unverified one a host
// that asks.
package edge
