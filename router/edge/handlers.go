package edge

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/router/front"
)

// Plain wraps the plain listener's handler: it answers ACME's HTTP-01
// challenges and, with RedirectHTTP, sends every other request to https
// (308, so a method and body are kept).
func (e *Edge) Plain(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if e.issuer != nil && strings.HasPrefix(req.URL.Path, "/.well-known/acme-challenge/") &&
			e.issuer.HandleHTTPChallenge(w, req) {
			return
		}
		if e.cfg.RedirectHTTP {
			http.Redirect(w, req, e.httpsURL(req), http.StatusPermanentRedirect)
			return
		}
		next.ServeHTTP(w, req)
	})
}

// httpsURL is req's URL on the TLS listener.
func (e *Edge) httpsURL(req *http.Request) string {
	host := stripPort(req.Host)
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	if e.tlsPort != "443" {
		host += ":" + e.tlsPort
	}
	return "https://" + host + req.URL.RequestURI()
}

// Secure wraps the TLS listener's handler: a request whose host is not
// the one its handshake was for, where either asks for a client
// certificate, gets 421 Misdirected Request (RFC 9110 15.5.20: the
// client retries on a connection of its own); with HSTS set, answers
// carry Strict-Transport-Security.
func (e *Edge) Secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.TLS != nil {
			host := strings.ToLower(stripPort(req.Host))
			sni := strings.ToLower(req.TLS.ServerName)
			if host != sni && (e.verifies(host) || e.verifies(sni)) {
				http.Error(w, "421 Misdirected Request: this connection is for another host", http.StatusMisdirectedRequest)
				return
			}
		}
		if e.cfg.HSTS != "" {
			w.Header().Set("Strict-Transport-Security", e.cfg.HSTS)
		}
		next.ServeHTTP(w, req)
	})
}

// verifies reports whether host's route asks for client certificates.
func (e *Edge) verifies(host string) bool {
	s := e.sites.Load().lookup(host)
	return s != nil && s.clientCAs != nil
}

func stripPort(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// Serve serves TLS on ln with handler (wrapped by Secure) until ctx
// ends, then lets requests in flight finish (up to 10s). HTTP/1.1 is
// served by the router's front (router/front: its fast path, as on the
// plain listener), HTTP/2, negotiated by ALPN, by net/http's server.
func (e *Edge) Serve(ctx context.Context, ln net.Listener, handler http.Handler, headerTimeout, idleTimeout time.Duration) error {
	fr := front.New(&http.Server{
		Handler:           e.Secure(handler),
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelDebug), // handshakes that fail are the clients'
	})
	errc := make(chan error, 1)
	go func() { errc <- fr.ServeTLS(ln, e.TLSConfig()) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fr.Shutdown(shutdown); err != nil {
		_ = fr.Close()
	}
	return nil
}
