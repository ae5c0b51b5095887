package router

import (
	"cmp"
	"net"
	"net/http/httputil"
	"slices"
	"strings"
	"time"
)

// Backend is one instance that may serve a route's requests.
type Backend struct {
	// ID is the instance ID; state (in-flight, failures) is kept by ID
	// across table updates.
	ID       string
	Revision int
	// Addr is host:port.
	Addr string
	// H2C says the instance speaks HTTP/2 without TLS, with prior
	// knowledge (RFC 9113 3.3): its requests are multiplexed over a few
	// connections by an HTTP/2 transport instead of the router's pool of
	// HTTP/1.1 ones (h2c.go).
	H2C bool
}

// Route is one service's entry in the table.
type Route struct {
	Service string
	// Host matches the request's host (port ignored, case-insensitive);
	// "" matches any host.
	Host string
	// Hosts are more hosts the route matches, beside Host: exact names,
	// and wildcards ("*.shop.example") that match one leftmost label. A
	// request's host matches a route naming it exactly before one whose
	// wildcard covers it, and that before a route without hosts; within
	// each, the longest path wins.
	Hosts []string
	// TLS is what the router's TLS edge serves the route's hosts with
	// (router/edge); the Router itself does not read it.
	TLS *RouteTLS
	// Path is a prefix on a segment boundary: "/invoice" matches
	// "/invoice" and "/invoice/1", not "/invoices". "" means "/".
	Path string
	// Backends are the instances in rotation (ready, not leaving).
	Backends []Backend
	// Weights splits traffic between revisions (values are relative).
	// Empty: every backend shares the traffic whatever its revision (a
	// rolling update).
	Weights map[int]int
	// Pin, when set, sends a request to a revision named by a header or
	// cookie value (e.g. a blue/green preview).
	Pin *Pin
	// Preview, when set, sends a request carrying a revision's secret
	// to that unreleased revision (a blue/green preview).
	Preview *Preview
	// Sticky, when set, keeps each user on one side of a weighted split.
	Sticky *Sticky
	// Mirror, when set, copies requests to a candidate revision whose
	// backends then never serve users (a parallel run, mirror.go).
	Mirror *Mirror
	// Timeout bounds the wait for response headers; MaxBody caps the
	// request body. Zero takes the router's Config.
	Timeout time.Duration
	MaxBody int64
	// MaxConcurrency is the most requests one instance gets at once;
	// more wait in the router for a slot (limit.go). Zero takes
	// DefaultMaxConcurrency.
	MaxConcurrency int
	// Wake says the service may be scaled to zero: with no backend, a
	// request is held while Config.Waker starts one (wake.go).
	Wake bool
}

// RouteTLS is a route's own TLS material, by file (PEM).
type RouteTLS struct {
	// CertFile and KeyFile, when set, are the certificate served for
	// the route's hosts instead of one obtained over ACME.
	CertFile, KeyFile string
	// ClientCAFile, when set, asks clients of the route's hosts for a
	// certificate chained to one of its authorities (mutual TLS).
	ClientCAFile string
}

// Pin routes requests carrying a header or cookie to a fixed revision.
type Pin struct {
	Header string
	Cookie string
	// Revisions maps the header or cookie value to a revision; "*" maps
	// any value.
	Revisions map[string]int
}

// Sticky keeps a user on one revision of a weighted split: each user
// has a bucket in 0..99, and the buckets are cut by the weights, so the
// same bucket lands on the same revision while the weights stay, and a
// user on the canary stays on it as its weight grows.
type Sticky struct {
	// Cookie names a cookie holding the user's bucket: the router picks a
	// bucket at random for a request without one and sets the cookie.
	Cookie string
	// Header names a request header (a user id) whose value is hashed to
	// the bucket; a request without it is assigned at random.
	Header string
}

// table is an immutable, matched-ready form of the routes.
type table struct {
	routes []*route // most specific first
}

type route struct {
	Route
	exact     []string   // lower-case hosts to match exactly
	wild      []string   // wildcards' suffixes: "*.shop.example" -> ".shop.example"
	path      string     // normalized, no trailing slash except "/"
	backends  []*backend // serve users: the mirror's candidate is not here
	byRev     map[int][]*backend
	mirrorTo  []*backend // the mirror's candidate
	revs      []int      // revisions with weight > 0 and backends, in order
	cumul     []int      // cumulative weights for revs
	total     int
	h2c       bool                   // some backend speaks h2c: no fast path (h2c.go)
	preview   *route                 // the preview's requests (buildPreview), or nil
	isPreview bool                   // this is a preview's route (current)
	proxy     *httputil.ReverseProxy // built with the table (Router.newProxy)
}

// match returns the route for host and path, or nil: a route naming
// the host, else one whose wildcard covers it, else one for any host.
func (t *table) match(host, path string) *route {
	host = strings.ToLower(stripPort(host))
	var wild, any *route
	for _, r := range t.routes {
		if !prefixMatch(r.path, path) {
			continue
		}
		switch {
		case slices.Contains(r.exact, host):
			return r
		case wild == nil && coveredBy(r.wild, host):
			wild = r
		case any == nil && len(r.exact) == 0 && len(r.wild) == 0:
			any = r
		}
	}
	if wild != nil {
		return wild
	}
	return any
}

// coveredBy reports whether one of the wildcard suffixes covers host
// with exactly one more label.
func coveredBy(suffixes []string, host string) bool {
	for _, s := range suffixes {
		if label, ok := strings.CutSuffix(host, s); ok && label != "" && strings.IndexByte(label, '.') < 0 {
			return true
		}
	}
	return false
}

// setHosts splits the route's hosts into exact names and wildcards.
func (r *route) setHosts() {
	for _, h := range append([]string{r.Host}, r.Hosts...) {
		h = strings.ToLower(h)
		switch {
		case h == "":
		case strings.HasPrefix(h, "*."):
			r.wild = append(r.wild, h[1:])
		default:
			r.exact = append(r.exact, h)
		}
	}
}

func stripPort(host string) string {
	if strings.IndexByte(host, ':') < 0 {
		return host // no port: SplitHostPort would allocate its error
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// prefixMatch reports whether prefix matches path on a segment boundary.
func prefixMatch(prefix, path string) bool {
	if prefix == "/" {
		return true
	}
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || path[len(prefix)] == '/'
}

// sortRoutes orders routes longer paths first, so that the first match
// of each kind (exact host, wildcard, any host) is the right one.
func sortRoutes(rs []*route) {
	slices.SortStableFunc(rs, func(a, b *route) int {
		if c := cmp.Compare(len(b.path), len(a.path)); c != 0 {
			return c
		}
		return cmp.Compare(a.Service, b.Service)
	})
}

func normalizePath(p string) string {
	if p == "" || p == "/" {
		return "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return strings.TrimRight(p, "/")
}
