// Package front is the router's HTTP/1.1 front: it serves the router's
// listener, reading and answering the common requests itself, and hands
// every other connection to an http.Server.
//
// Its contract is to answer as net/http would, except where a later
// hardening issue makes the router stricter, as nginx is. A Server reads
// each request head from its own buffer and serves, on the connection's
// goroutine and without net/http's per-request goroutine wakeups and
// allocations, only the requests it reads with certainty as net/http
// reads them (parse.go):
//
//   - GET, HEAD or OPTIONS, in origin form ("/path?query"), HTTP/1.0 or
//     HTTP/1.1;
//   - no body: no Content-Length but "0", no Transfer-Encoding;
//   - no Upgrade, Expect or HTTP2-Settings;
//   - every line ending in CRLF, header names that are tokens followed
//     at once by the colon (no obs-fold), values without control
//     characters, one Host of plain host characters (required in
//     HTTP/1.1), and a head that fits in the connection's 4 KiB buffer.
//
// It answers them as net/http's server would (writer.go): the same
// status line, framing (Content-Length, chunking, Connection), Date,
// sniffed Content-Type, 1xx and trailers, and the same keep-alive,
// pipelining, timeouts and shutdown.
//
// The first request on a connection it does not serve (another method,
// a body, an upgrade, 100-continue, a malformed or merely unusual head,
// a head larger than the buffer) hands the connection, with the bytes
// read so far, to the http.Server, and net/http answers it as it would
// alone (a 400, a 431, a body, an upgrade). So the front never reads a
// request differently from net/http: the tests hold it to net/http's
// reading (TestParseHead, FuzzRequestHead) and the whole server to
// net/http's answers on the same bytes (TestFrontAnswersAsNetHTTP).
//
// ServeTLS serves a TLS listener the same way after each handshake:
// HTTP/1.1 (or no ALPN) through the front, req.TLS set; HTTP/2 by ALPN
// to net/http's HTTP/2 server (tls.go).
//
// A connection idle past idleRelease (100 ms; 75 ms at the soonest,
// releaseLazy) gives its buffers back,
// and its goroutine ends: its socket waits in the server's epoll (the
// idler), and a new goroutine serves it once it is readable, as nginx
// keeps an idle connection with no buffer (idle.go, idler_linux.go).
//
// Where the router is stricter than net/http, deliberately, as nginx is:
//
//   - A request whose head has both Content-Length and
//     Transfer-Encoding, or a Transfer-Encoding folded over lines
//     (obs-fold), gets a 400 and its connection is closed (RFC 9112
//     6.1, 6.3), where net/http drops the Content-Length or unfolds the
//     field and serves it (framing.go, TestFrontRefusesAmbiguousFraming).
//   - So that every head is judged so, a connection handed to net/http
//     serves that one request and is closed (New turns the http.Server's
//     keep-alive off): the client's next request comes on a new
//     connection, to the front. Requests the front serves itself keep
//     their connection alive as net/http would.
//   - Limiter (limit.go) bounds the connections held open, in all and
//     per client address. When all places are taken the Server closes
//     one of its idle connections (the oldest that sent nothing yet,
//     else one between requests) to make room, as nginx reuses idle
//     connections; a connection over its address's bound, or with no
//     idle one to close, is closed at once.
package front
