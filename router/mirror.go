package router

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httputil"

	"github.com/slipway-dev/slipway/mirror"
)

// Mirror copies a route's requests to a candidate revision, for a
// parallel run. The candidate's instances never serve users: the user is
// answered by a stable instance, as without a mirror, and once that
// answer is complete the router sends the same request to one candidate
// instance and to a second stable instance, and hands the three answers
// to Config.Mirrors.
type Mirror struct {
	// Revision is the candidate: its backends get copies only.
	Revision int
	// Percent of the route's requests are copied (0..100).
	Percent int
	// Unsafe also copies requests whose method is not GET, HEAD, OPTIONS
	// or TRACE (POST, PUT, PATCH, DELETE...).
	Unsafe bool
	// MaxBody is the largest request body copied (default 1 MiB): a
	// copied request's body is read into memory first; a larger one is
	// served as usual and not copied.
	MaxBody int64
}

// MirrorObserver receives the answers to mirrored requests. Its methods
// are called concurrently.
type MirrorObserver interface {
	// Compared is called off the request path, once per copied request,
	// with the user's answer (Primary), a second stable instance's
	// (Secondary, from another instance than the primary when the route
	// has one) and the candidate's; revision is the candidate. A copy
	// that got no answer (connection error, timeout) has Status 0 and
	// Error set. Compared holds one of the in-flight slots until it
	// returns.
	Compared(service string, revision int, x mirror.Exchange)
	// Dropped is called on the request path, and must not block, for a
	// request chosen for copying that was not copied because
	// Config.MaxMirrorsInFlight copies were in flight.
	Dropped(service string, revision int)
}

// MirrorHeader is set to "1" on the copies, so that an instance can tell
// a copy from a user's request.
const MirrorHeader = "X-Slipway-Mirror"

// Limits of mirroring.
const (
	defaultMirrorBody      = 1 << 20 // request body read into memory
	captureLimit           = 1 << 20 // response body kept for comparison
	defaultMirrorsInFlight = 64
)

// mirrors is the router's mirroring state.
type mirrors struct {
	// slots bound the mirrored requests in flight, from the user's
	// request until the observer returns.
	slots  chan struct{}
	ctx    context.Context // ends with the router (Close)
	cancel context.CancelFunc
}

func newMirrors(inFlight int) mirrors {
	if inFlight <= 0 {
		inFlight = defaultMirrorsInFlight
	}
	ctx, cancel := context.WithCancel(context.Background())
	return mirrors{slots: make(chan struct{}, inFlight), ctx: ctx, cancel: cancel}
}

func (m *mirrors) acquire() bool {
	select {
	case m.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

func (m *mirrors) release() { <-m.slots }

// withDefaults fills in a route's mirror, leaving the caller's alone.
func (m *Mirror) withDefaults() *Mirror {
	c := *m
	c.Percent = min(max(c.Percent, 0), 100)
	if c.MaxBody <= 0 {
		c.MaxBody = defaultMirrorBody
	}
	return &c
}

// copies reports whether req is copied: roll (0..99) falls under
// Percent, its method is safe (or Unsafe is set), it is no upgrade, its
// body is not known to be too large, and it is not itself a copy (an
// instance calling back through the router).
func (m *Mirror) copies(req *http.Request, roll int) bool {
	switch {
	case roll >= m.Percent:
		return false
	case !m.Unsafe && !safeMethod(req.Method):
		return false
	case req.Header["Upgrade"] != nil || req.Header[MirrorHeader] != nil:
		return false
	}
	return req.ContentLength <= m.MaxBody
}

// safeMethod reports whether a method only reads (RFC 9110 9.2.1).
func safeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// serveMirrored serves a request that is to be copied, and reports
// false, having served nothing, for one that is not.
func (rt *Router) serveMirrored(w http.ResponseWriter, r *route, req *http.Request) bool {
	m := r.Mirror
	if m == nil || len(r.mirrorTo) == 0 || rt.cfg.Mirrors == nil || rt.mirror.ctx.Err() != nil {
		return false // no mirror, no candidate, nobody to tell, or closed
	}
	roll := 0
	if m.Percent < 100 {
		roll = int(rt.rand() % 100)
	}
	if !m.copies(req, roll) {
		return false
	}
	if !rt.mirror.acquire() {
		rt.cfg.Mirrors.Dropped(r.Service, m.Revision)
		return false
	}
	c := &mirrorCall{rt: rt, r: r}
	if !c.readBody(req) {
		rt.mirror.release()
		return false
	}
	defer c.finish()
	proxy := &httputil.ReverseProxy{Rewrite: rt.rewrite, Transport: c, BufferPool: rt.buffers,
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) { rt.proxyError(w, req, r, err) },
		ErrorLog:     rt.errorLog}
	proxy.ServeHTTP(w, req)
	return true
}

// mirrorCall is one copied request: what the copies need, and the
// user's answer as it streams by.
type mirrorCall struct {
	rt      *Router
	r       *route
	body    []byte        // the request body, read into memory
	tmpl    *http.Request // the request as sent to the primary, for the copies
	addr    string        // the primary's address
	resp    *http.Response
	capture *captureBody
}

// readBody reads the request body into memory for the copies. A body
// larger than the mirror's MaxBody, or one that fails, is left to the
// user's request as it was (what was read, then the rest) and the
// request is not copied.
func (c *mirrorCall) readBody(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	orig := req.Body
	buf, err := io.ReadAll(io.LimitReader(orig, c.r.Mirror.MaxBody+1))
	if err == nil && int64(len(buf)) <= c.r.Mirror.MaxBody {
		c.body = buf
		req.Body = io.NopCloser(bytes.NewReader(buf))
		return true
	}
	// A MaxBytesReader (ServeHTTP's) repeats its error on the next read.
	req.Body = readCloser{io.MultiReader(bytes.NewReader(buf), orig), orig}
	return false
}

type readCloser struct {
	io.Reader
	io.Closer
}

// RoundTrip sends the user's request as the route's proxy would, keeping
// a copy of it for the mirrors and capturing the answer's body.
func (c *mirrorCall) RoundTrip(req *http.Request) (*http.Response, error) {
	c.tmpl = req.Clone(context.Background())
	c.tmpl.Body = nil
	c.tmpl.Header.Del("Expect") // the body is at hand: no need to ask
	c.tmpl.Header.Set(MirrorHeader, "1")
	resp, err := c.rt.roundTrip(c.r, req)
	if err != nil {
		return nil, err
	}
	c.addr = req.URL.Host // roundTrip leaves the answering instance's there
	c.resp = resp
	c.capture = &captureBody{rc: resp.Body}
	resp.Body = c.capture
	return resp, nil
}

// finish runs when the user's request is over: with a complete answer,
// the copies go out on their own goroutine; otherwise (no answer, the
// user went away mid-body) there is nothing to compare.
func (c *mirrorCall) finish() {
	if c.resp == nil || !c.capture.eof {
		c.rt.mirror.release()
		return
	}
	primary := mirror.Response{Status: c.resp.StatusCode, Header: c.resp.Header,
		Body: c.capture.buf, Truncated: c.capture.truncated}
	go c.rt.compare(c, primary)
}

// captureBody passes a response body through to the user unchanged,
// keeping its first captureLimit bytes. The proxy reads and closes it on
// the serving goroutine, before finish reads it.
type captureBody struct {
	rc        io.ReadCloser
	buf       []byte
	truncated bool
	eof       bool
}

func (cb *captureBody) Read(p []byte) (int, error) {
	n, err := cb.rc.Read(p)
	room := captureLimit - len(cb.buf)
	if n > room {
		cb.truncated = true
	}
	cb.buf = append(cb.buf, p[:min(n, room)]...)
	if err == io.EOF {
		cb.eof = true
	}
	return n, err
}

func (cb *captureBody) Close() error { return cb.rc.Close() }

// compare sends the copies, to a candidate instance and to a second
// stable one at the same time, and hands the three answers to the
// observer. It holds the call's slot until the observer returns.
func (rt *Router) compare(c *mirrorCall, primary mirror.Response) {
	defer rt.mirror.release()
	r := c.r
	ctx, cancel := context.WithTimeout(rt.mirror.ctx, r.Timeout)
	defer cancel()
	var secondary mirror.Response
	done := make(chan struct{})
	go func() {
		defer close(done)
		secondary = rt.sendCopy(ctx, c, rt.secondary(r, c.addr))
	}()
	candidate := rt.sendCopy(ctx, c, rt.choose(r.mirrorTo, nil))
	<-done
	rt.cfg.Mirrors.Compared(r.Service, r.Mirror.Revision, mirror.Exchange{
		Method: c.tmpl.Method, Path: c.tmpl.URL.Path,
		Primary: primary, Secondary: secondary, Candidate: candidate,
	})
}

// secondary picks the stable instance that answers the noise copy: one
// of the primary's revision other than the primary, or the primary
// itself when it is alone.
func (rt *Router) secondary(r *route, primaryAddr string) *backend {
	for _, b := range r.backends {
		if b.Addr == primaryAddr {
			return rt.choose(r.byRev[b.Revision], b)
		}
	}
	return rt.choose(r.backends, nil)
}

// choose picks the less loaded of two random instances of pool, other
// than not unless it is the only one. Copies do not count for passive
// health (an ejected instance may still get one).
func (rt *Router) choose(pool []*backend, not *backend) *backend {
	var cands [8]*backend
	c := cands[:0]
	for _, b := range pool {
		if b != not {
			c = append(c, b)
		}
	}
	if len(c) == 0 {
		return not
	}
	return rt.lessLoaded(c)
}

// sendCopy sends a copy of the call's request to b and reads the answer,
// within ctx. A copy is counted in flight on b (so that draining waits
// for it), but not by the Observer nor for passive health: it is not a
// user's request.
func (rt *Router) sendCopy(ctx context.Context, c *mirrorCall, b *backend) mirror.Response {
	if b == nil {
		return mirror.Response{Error: errNoBackend.Error()}
	}
	req := c.tmpl.Clone(ctx)
	req.URL.Host = b.Addr
	if c.body != nil {
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(c.body)), nil }
		req.Body, _ = req.GetBody()
		req.ContentLength = int64(len(c.body))
	}
	resp, err := rt.copyAttempt(c.r, b, req)
	if err != nil {
		return mirror.Response{Error: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, captureLimit+1))
	if err != nil {
		return mirror.Response{Error: "read body: " + err.Error()}
	}
	out := mirror.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if len(body) > captureLimit {
		out.Body, out.Truncated = body[:captureLimit], true
	}
	return out
}

// copyAttempt sends req to b over the fast path when it can, else over
// the transport; closing the response body ends its time in flight.
func (rt *Router) copyAttempt(r *route, b *backend, req *http.Request) (*http.Response, error) {
	if err := enter(b, false); err != nil {
		return nil, err
	}
	if fastPathOK(req) && !b.H2C {
		resp, pc, err := rt.exchange(r, b, req, nil)
		if err != nil {
			b.leave()
			return nil, err
		}
		resp.Body = &fastBody{rc: resp.Body, pc: pc, rt: rt, b: b, eof: resp.Body == http.NoBody, keep: !resp.Close}
		return resp, nil
	}
	resp, err := rt.transportFor(b, req).RoundTrip(req)
	if err != nil {
		b.leave()
		return nil, err
	}
	resp.Body = &doneBody{ReadCloser: resp.Body, done: b.leave}
	return resp, nil
}
