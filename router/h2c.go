package router

import (
	"net"
	"net/http"
	"time"
)

// An instance that speaks h2c (Backend.H2C: HTTP/2 without TLS, with
// prior knowledge, as gRPC servers and many HTTP/2 services listen) gets
// its requests through an HTTP/2 transport: multiplexed over one
// connection (more when its streams run out), with the same picking,
// retries, timeouts, health, draining, metrics and mirroring as any
// request (roundTrip, attempt). Such a route takes no fast path, which
// speaks HTTP/1.1 only. An upgrade (WebSocket) still goes over HTTP/1.1:
// HTTP/2 has no Upgrade, and an h2c server commonly serves HTTP/1.1 on
// the same port too (Go's, with Protocols or x/net/http2/h2c, does).

// newH2CTransport returns the transport for instances that speak h2c.
func newH2CTransport(cfg Config) *http.Transport {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true) // and not HTTP1: http:// URLs go over h2c
	return &http.Transport{
		DialContext:     (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		Protocols:       &p,
		IdleConnTimeout: 90 * time.Second,
		HTTP2: &http.HTTP2Config{
			// A connection whose instance stopped answering is found and
			// closed, so that requests go to a new one.
			SendPingTimeout: 15 * time.Second,
			PingTimeout:     5 * time.Second,
		},
	}
}

// transportFor is the transport that sends req to b.
func (rt *Router) transportFor(b *backend, req *http.Request) *http.Transport {
	if b.H2C && req.Header["Upgrade"] == nil {
		return rt.h2c
	}
	return rt.transport
}

// keepTrailers readies an HTTP/2 answer with trailers for an HTTP/1.1
// client: HTTP/2 allows a Content-Length beside trailers (Go's server
// sends both), HTTP/1.1 sends trailers only after a chunked body, so the
// length goes and the body is chunked.
func keepTrailers(resp *http.Response) {
	if resp.ProtoMajor == 2 && len(resp.Trailer) > 0 && resp.ContentLength >= 0 {
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
	}
}
