package server

import (
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"

	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/ratelimit"
)

// ofrepGuard puts OFREP behind the API's checks on where a request comes
// from: on a loopback API, a Host that is not a loopback name is refused
// (a DNS-rebinding page would otherwise read every flag's rules), and a
// browser's cross-origin request is served only to the configured
// origins (--ofrep-cors-origin), which alone get CORS headers.
//
// Each key's evaluations are rate limited (--ofrep-rate, --ofrep-burst):
// 429 with Retry-After past the limit.
func (s *Server) ofrepGuard(next http.Handler, limit *ratelimit.Limiter) http.Handler {
	host, _, _ := net.SplitHostPort(s.cfg.APIAddr)
	loopback := httpapi.LoopbackAddrHost(host)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if loopback && !httpapi.LoopbackHost(r.Host) {
			http.Error(w, "host "+r.Host+" is not a loopback name; this server only answers on loopback", http.StatusForbidden)
			return
		}
		key, _ := ofrep.RequestKey(r.Header) // a malformed one: ofrep refuses the request
		if p, ok := s.keys.Lookup(key); ok {
			if allowed, wait := limit.Allow(p.Name); !allowed {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
				http.Error(w, p.Name+" made too many evaluations", http.StatusTooManyRequests)
				return
			}
		}
		origin := r.Header.Get("Origin")
		if origin == "" || origin == "http://"+r.Host || origin == "https://"+r.Host {
			next.ServeHTTP(w, r)
			return
		}
		if !slices.Contains(s.cfg.OFREPOrigins, origin) {
			http.Error(w, "cross-origin request from "+origin+" refused: allow it with --ofrep-cors-origin", http.StatusForbidden)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-API-Key, If-None-Match")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
