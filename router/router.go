package router

import (
	"context"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Config sets a Router's limits. Zero values take the defaults.
type Config struct {
	// MaxBodyBytes caps a request body when a route does not say
	// (default 10 MiB).
	MaxBodyBytes int64
	// ResponseHeaderTimeout bounds the wait for a backend's response
	// headers when a route does not say (default 60s); past it the client
	// gets a 504.
	ResponseHeaderTimeout time.Duration
	// DialTimeout bounds connecting to a backend (default 2s).
	DialTimeout time.Duration
	// Attempts is how many instances a request may be tried on when
	// connections fail (default 3).
	Attempts int
	// Observer, when set, is told of every answered request (not of
	// mirrored copies).
	Observer Observer
	// Mirrors receives the answers to mirrored requests; routes mirror
	// only when it is set.
	Mirrors MirrorObserver
	// MaxMirrorsInFlight bounds the mirrored requests in flight, from
	// the user's request to the last copy's answer (default 64); more
	// are not copied (MirrorObserver.Dropped).
	MaxMirrorsInFlight int
	// Logger gets what the error pages leave out: why a request got
	// one (the instance's address, the error), and the reverse proxies'
	// own errors (default: discard).
	Logger *slog.Logger
	// Waker, when set, is asked for an instance of a service whose
	// route is marked Wake and has none (scaled to zero, wake.go); the
	// router holds the request meanwhile, for at most HoldTimeout
	// (default 30s), MaxHeld requests at once (default 1000).
	Waker       func(service string)
	HoldTimeout time.Duration
	MaxHeld     int
	// TrustedProxies are the addresses of proxies in front of the router
	// (a load balancer) whose forwarding headers (Forwarded,
	// X-Forwarded-*) are kept and added to; any other client's are
	// dropped (forwarded.go).
	TrustedProxies []netip.Prefix
	// MaxQueued bounds the requests waiting for a slot on an instance
	// at its route's MaxConcurrency (limit.go; default
	// DefaultMaxQueued); over it a request gets a 503 at once.
	MaxQueued int
	// RecordBackends, when set, tells the BackendRecorder a request's
	// context carries (WithBackendRecorder) which instance answered it:
	// an access log's. Off, the router looks for none.
	RecordBackends bool
	// Now and Rand are injected for tests (default: wall clock,
	// math/rand/v2).
	Now  func() time.Time
	Rand func() uint64
}

// Observer receives one Sample per request a backend answered.
type Observer interface {
	Observe(Sample)
}

// Sample is one proxied request.
type Sample struct {
	Service  string
	Revision int
	Instance string
	Status   int
	Duration time.Duration
}

// BackendRecorder is told which instance answered a request (see
// Config.RecordBackends); a mirrored copy's answer is not told.
type BackendRecorder interface {
	RecordBackend(revision int, instance string)
}

type recorderKey struct{}

// WithBackendRecorder returns ctx carrying rec, for a request whose
// answering instance rec should learn.
func WithBackendRecorder(ctx context.Context, rec BackendRecorder) context.Context {
	return context.WithValue(ctx, recorderKey{}, rec)
}

// Router routes requests to backends. Create it with New, give it routes
// with Update, serve it as an http.Handler.
type Router struct {
	cfg       Config
	table     atomic.Pointer[table]
	buffers   *bufferPool     // the proxies' copy buffers
	transport *http.Transport // upgrades, bodies, 100-continue
	h2c       *http.Transport // instances that speak h2c (h2c.go)
	dialer    net.Dialer      // the fast path's (fastpath.go)
	pools     pools           // the fast path's idle connections
	mirror    mirrors         // copies of requests (mirror.go)
	errorLog  *log.Logger     // the reverse proxies', into cfg.Logger

	mu     sync.Mutex // guards states
	states map[string]*state
	held   holds  // requests waiting for a service scaled to zero (wake.go)
	queued queues // requests waiting for a slot on a full instance (limit.go)
}

// New returns a Router with an empty table (every request gets a 404).
func New(cfg Config) *Router {
	cfg = withDefaults(cfg)
	rt := &Router{cfg: cfg, states: map[string]*state{}, queued: queues{limit: cfg.MaxQueued}}
	rt.dialer = net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}
	rt.transport = &http.Transport{
		DialContext:           (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256, // the default 2 halves throughput under load
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     false,
	}
	rt.h2c = newH2CTransport(cfg)
	rt.errorLog = slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)
	rt.buffers = newBufferPool()
	rt.mirror = newMirrors(cfg.MaxMirrorsInFlight)
	rt.table.Store(&table{})
	return rt
}

func withDefaults(c Config) Config {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 10 << 20
	}
	if c.ResponseHeaderTimeout == 0 {
		c.ResponseHeaderTimeout = 60 * time.Second
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 2 * time.Second
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	if c.HoldTimeout == 0 {
		c.HoldTimeout = DefaultHoldTimeout
	}
	if c.MaxHeld == 0 {
		c.MaxHeld = DefaultMaxHeld
	}
	if c.MaxQueued == 0 {
		c.MaxQueued = DefaultMaxQueued
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Uint64
	}
	return c
}

func (rt *Router) now() time.Time { return rt.cfg.Now() }
func (rt *Router) rand() uint64   { return rt.cfg.Rand() }

// Close closes idle connections to backends, and ends the mirrored
// copies in flight.
func (rt *Router) Close() {
	rt.mirror.cancel()
	rt.transport.CloseIdleConnections()
	rt.h2c.CloseIdleConnections()
	rt.pools.closeAll()
}

// newProxy builds a route's reverse proxy when the table is updated, so
// that the request path carries the route with no per-request context
// value or request copy.
func (rt *Router) newProxy(r *route) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:      rt.rewrite,
		Transport:    routeTransport{rt: rt, r: r},
		BufferPool:   rt.buffers,
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) { rt.proxyError(w, req, r, err) },
		ErrorLog:     rt.errorLog,
	}
}

// routeTransport sends a route's requests (see Router.roundTrip).
type routeTransport struct {
	rt *Router
	r  *route
}

func (t routeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.rt.roundTrip(t.r, req)
}

// ServeHTTP routes one request.
func (rt *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if !proxied(req.Method) {
		rt.cfg.Logger.LogAttrs(req.Context(), slog.LevelDebug, "router: method not proxied",
			slog.String("method", req.Method), slog.String("target", req.RequestURI))
		writePage(w, http.StatusMethodNotAllowed)
		return
	}
	normalizeRequestPath(req)
	r := rt.table.Load().match(req.Host, req.URL.Path)
	if r == nil {
		rt.cfg.Logger.LogAttrs(req.Context(), slog.LevelDebug, "router: no route",
			slog.String("host", req.Host), slog.String("path", req.URL.Path))
		writePage(w, http.StatusNotFound)
		return
	}
	r = previewed(r, req)
	if len(r.backends) == 0 && r.Wake && rt.cfg.Waker != nil {
		if r = rt.hold(w, req, r); r == nil {
			return
		}
	}
	if len(r.backends) == 0 {
		rt.refuse(w, req, r, http.StatusServiceUnavailable, errNoReady)
		return
	}
	if req.ContentLength > r.MaxBody {
		rt.refuse(w, req, r, http.StatusRequestEntityTooLarge, &http.MaxBytesError{Limit: r.MaxBody})
		return
	}
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = http.MaxBytesReader(w, req.Body, r.MaxBody)
	}
	rt.assignSticky(w, r, req)
	if rt.serveMirrored(w, r, req) {
		return
	}
	if fastPathOK(req) && !r.h2c {
		rt.serveFast(w, r, req)
		return
	}
	r.proxy.ServeHTTP(w, req)
}

// proxied reports whether the router forwards requests of method to a
// service. net/http's server hands it two it should not: CONNECT (a
// reverse proxy opens no tunnels to wherever a client names) and PRI,
// HTTP/2's connection preface sent to this HTTP/1.1 port (forwarded, a
// backend would get "PRI * HTTP/1.1"). nginx refuses both.
func proxied(method string) bool {
	return method != http.MethodConnect && method != "PRI"
}
