package router

import (
	"hash/fnv"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// backend is a Backend in one table, with its state.
type backend struct {
	Backend
	st    *state
	limit int64  // the route's MaxConcurrency
	line  *slots // the service's requests waiting for a slot
}

// state is what the router knows of an instance across table updates.
type state struct {
	inflight atomic.Int64
	fails    atomic.Int32 // consecutive failed attempts
	ejected  atomic.Int64 // out of rotation until this time (unix ns)
	inTable  atomic.Bool  // in the current table
}

// healthy reports whether the backend is in rotation: never ejected, or
// no more at the clock's time, read into *now (unix ns) when first
// needed. Most requests so read no clock to pick an instance.
func (b *backend) healthy(clock func() time.Time, now *int64) bool {
	e := b.st.ejected.Load()
	if e == 0 {
		return true
	}
	if *now == 0 {
		*now = clock().UnixNano()
	}
	return e <= *now
}

// Passive health: after ejectAfter consecutive failures an instance is
// out of rotation for ejectFor, then gets requests again (and is ejected
// again at its next failure).
const (
	ejectAfter = 3
	ejectFor   = 5 * time.Second
)

// failed records a failed attempt (a connection error or a 5xx).
func (b *backend) failed(now time.Time) {
	if b.st.fails.Add(1) >= ejectAfter {
		b.st.ejected.Store(now.Add(ejectFor).UnixNano())
	}
}

// succeeded records an attempt that got an answer below 500.
func (b *backend) succeeded() {
	if b.st.fails.Load() != 0 {
		b.st.fails.Store(0)
	}
}

// pick chooses a backend for req among r's, skipping those already
// tried and those at their concurrency limit: the revision by pin or
// weight, then the less loaded of two random healthy instances. It
// returns nil when none is left; full then says whether some were
// skipped only for being full (a slot may free: awaitSlot).
func (rt *Router) pick(r *route, req *http.Request, tried []*backend) (b *backend, full bool) {
	pool := r.backends
	if rev, ok := rt.revision(r, req); ok {
		pool = r.byRev[rev]
	}
	var now int64 // read by healthy when an instance was ever ejected
	var cands [8]*backend
	c := cands[:0]
	for _, b := range pool {
		if contains(tried, b) {
			continue
		}
		if b.full() {
			full = true
		} else if b.healthy(rt.cfg.Now, &now) {
			c = append(c, b)
		}
	}
	if len(c) == 0 { // every instance ejected: better to try one than fail
		for _, b := range pool {
			if !contains(tried, b) && !b.full() {
				c = append(c, b)
			}
		}
	}
	if len(c) == 0 {
		return nil, full
	}
	return rt.lessLoaded(c), false
}

// lessLoaded returns the less loaded (fewer requests in flight) of two
// distinct random candidates; c must not be empty.
func (rt *Router) lessLoaded(c []*backend) *backend {
	if len(c) == 1 {
		return c[0]
	}
	x := rt.rand()
	i, j := int(x%uint64(len(c))), int((x>>32)%uint64(len(c)-1))
	if j >= i {
		j++
	}
	if c[j].st.inflight.Load() < c[i].st.inflight.Load() {
		return c[j]
	}
	return c[i]
}

// revision picks the revision a request goes to: pinned by header or
// cookie, else by weight. ok is false when any backend will do.
func (rt *Router) revision(r *route, req *http.Request) (int, bool) {
	if p := r.Pin; p != nil {
		if v := pinValue(p, req); v != "" {
			if rev, ok := p.Revisions[v]; ok && len(r.byRev[rev]) > 0 {
				return rev, true
			}
			if rev, ok := p.Revisions["*"]; ok && len(r.byRev[rev]) > 0 {
				return rev, true
			}
		}
	}
	if len(r.revs) < 2 {
		if len(r.revs) == 1 {
			return r.revs[0], true
		}
		return 0, false
	}
	n := int(rt.rand() % uint64(r.total))
	if b, ok := stickyBucket(r.Sticky, req); ok {
		n = b * r.total / buckets
	}
	for i, c := range r.cumul {
		if n < c {
			return r.revs[i], true
		}
	}
	return r.revs[len(r.revs)-1], true
}

func pinValue(p *Pin, req *http.Request) string {
	if p.Header != "" {
		if v := req.Header.Get(p.Header); v != "" {
			return v
		}
	}
	if p.Cookie != "" {
		if v, ok := cookieValue(req.Header, p.Cookie); ok {
			return v
		}
	}
	return ""
}

// cookieValue returns the value of the first cookie called name in the
// Cookie headers, as req.Cookie would (surrounding double quotes
// removed), without parsing every cookie into a new slice: a sticky
// split reads it on every request.
func cookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			part = textproto.TrimString(part)
			k, v, _ := strings.Cut(part, "=") // "b" alone is b with no value, as net/http reads it
			if k != name {
				continue
			}
			if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if validCookieValue(v) {
				return v, true
			}
		}
	}
	return "", false
}

// validCookieValue is net/http's check of a cookie value's bytes
// (RFC 6265 cookie-octet, plus space and comma as net/http allows).
func validCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == ';' || c == '\\' {
			return false
		}
	}
	return true
}

func contains(bs []*backend, b *backend) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}

// buckets is how many sticky buckets users are spread over.
const buckets = 100

// stickyBucket returns the request's sticky bucket: the cookie's value,
// or the header's value hashed. ok is false when the request has none
// (or a cookie value that is not a bucket).
func stickyBucket(s *Sticky, req *http.Request) (int, bool) {
	switch {
	case s == nil:
		return 0, false
	case s.Header != "":
		v := req.Header.Get(s.Header)
		if v == "" {
			return 0, false
		}
		h := fnv.New32a()
		_, _ = h.Write([]byte(v))
		return int(h.Sum32() % buckets), true
	case s.Cookie != "":
		v, ok := cookieValue(req.Header, s.Cookie)
		if !ok {
			return 0, false
		}
		b, err := strconv.Atoi(v)
		return b, err == nil && b >= 0 && b < buckets
	}
	return 0, false
}

// assignSticky gives a request without a valid sticky cookie a random
// bucket: the request carries it on to every attempt (pick reads it),
// and the response sets it, so the user's next requests keep the side.
func (rt *Router) assignSticky(w http.ResponseWriter, r *route, req *http.Request) {
	s := r.Sticky
	if s == nil || s.Cookie == "" || len(r.revs) < 2 {
		return
	}
	if _, ok := stickyBucket(s, req); ok {
		return
	}
	c := &http.Cookie{Name: s.Cookie, Value: strconv.Itoa(int(rt.rand() % buckets)), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode}
	dropCookie(req, s.Cookie) // a malformed value of ours must not win over the new one
	req.AddCookie(c)
	w.Header().Add("Set-Cookie", c.String())
}

// dropCookie removes every cookie called name from req, keeping the rest.
func dropCookie(req *http.Request, name string) {
	cs := req.Cookies()
	req.Header.Del("Cookie")
	for _, c := range cs {
		if c.Name != name {
			req.AddCookie(c)
		}
	}
}
