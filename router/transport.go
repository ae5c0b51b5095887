package router

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// roundTrip sends one request to a backend chosen for route r, and to
// another when the connection could not be made (or, for a request that
// is safe to repeat, when it broke before an answer). The response body
// counts as in flight until it is closed.
func (rt *Router) roundTrip(r *route, req *http.Request) (*http.Response, error) {
	var body *trackedBody
	if req.Body != nil && req.Body != http.NoBody {
		body = &trackedBody{ReadCloser: req.Body}
		req.Body = body
	}
	fast := fastPathOK(req)
	resp, err := rt.tryInstances(r, req, body, func(b *backend) (*http.Response, error) {
		if fast && !b.H2C {
			return rt.fastAttempt(r, b, req, nil)
		}
		return rt.attempt(r, b, req)
	})
	if err != nil && body.failure() != nil {
		return nil, &clientBodyError{err: body.failure()}
	}
	return resp, err
}

// clientBodyError is a request that failed because the client's body
// could not be read (malformed chunking, a body cut short, too large):
// the client's fault, answered 400 (413 when too large), never
// counted against the instance.
type clientBodyError struct{ err error }

func (e *clientBodyError) Error() string { return "read the client's request body: " + e.err.Error() }
func (e *clientBodyError) Unwrap() error { return e.err }

// clientBodyFailed reports whether req's body, as roundTrip tracks it,
// failed to read from the client.
func clientBodyFailed(req *http.Request) bool {
	tb, ok := req.Body.(*trackedBody)
	return ok && tb.failure() != nil
}

// tryInstances sends req with send to an instance picked for route r,
// then to others while the failure is retryable, up to the configured
// attempts. When every instance left to try is at its concurrency limit
// the request waits for a slot (awaitSlot). body is req's body as
// roundTrip tracks it, or nil.
func (rt *Router) tryInstances(r *route, req *http.Request, body *trackedBody, send func(*backend) (*http.Response, error)) (*http.Response, error) {
	var triedBuf [4]*backend // no allocation for the usual few attempts
	tried := triedBuf[:0]
	lastErr := errNoBackend
	refreshed, woken := false, false
	var start time.Time
	for attempts := 0; attempts < rt.cfg.Attempts; {
		b, full := rt.pick(r, req, tried)
		if b == nil && full {
			if start.IsZero() {
				start = rt.now()
			}
			nr, err := rt.awaitSlot(r, req, start, woken, func(r *route) bool { b, _ := rt.pick(r, req, tried); return b != nil })
			if err != nil {
				return nil, err
			}
			if nr != r {
				r, tried = nr, tried[:0]
			}
			woken = true
			continue
		}
		if b == nil {
			// Every instance the request's table offered left rotation
			// since it was matched (a switch that drains them all at
			// once, like a promotion): try the current table, once.
			if refreshed || !errors.Is(lastErr, errLeft) {
				break
			}
			nr := rt.current(r, req)
			if nr == nil || nr == r {
				break
			}
			r, tried, refreshed = nr, tried[:0], true
			continue
		}
		resp, err := send(b)
		if errors.Is(err, errFull) {
			continue // taken since the pick: pick again, or wait
		}
		tried = append(tried, b)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !errors.Is(err, errLeft) { // an instance that left was sent nothing
			attempts++
		}
		if !retryable(req, body, err) {
			break
		}
	}
	return nil, lastErr
}

// errLeft means the instance left the table between being picked and
// being counted in flight: nothing was sent, another one is tried (this
// is what lets Drain trust the in-flight count).
var errLeft = errors.New("instance left rotation")

// enter counts a request in flight on b: errLeft when b has left the
// table, errFull when capped and b is at its concurrency limit. Counting
// first and checking second closes the window in which Drain could see
// no request while one is about to be sent, and in which two requests
// could both take an instance's last slot. Mirrored copies are not
// capped: MaxMirrorsInFlight bounds them, and a copy refused for a full
// instance would read as a difference in the parallel run.
func enter(b *backend, capped bool) error {
	if b.st.inflight.Add(1) > b.limit && capped {
		b.leave()
		return errFull
	}
	if !b.st.inTable.Load() {
		b.leave()
		return errLeft
	}
	return nil
}

// errHeaderTimeout is an instance that did not answer within the
// route's timeout.
var errHeaderTimeout = &timeoutError{}

type timeoutError struct{}

func (*timeoutError) Error() string   { return "no response headers within the route's timeout" }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }

// attempt sends req to b, counting it in flight until its body closes.
// The route's timeout bounds the wait for the response headers only: a
// streamed body may take as long as it takes.
func (rt *Router) attempt(r *route, b *backend, req *http.Request) (*http.Response, error) {
	req.URL.Host = b.Addr
	start := rt.now()
	if err := enter(b, true); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(req.Context())
	timer := time.AfterFunc(r.Timeout, cancel)
	resp, err := rt.transportFor(b, req).RoundTrip(req.WithContext(ctx))
	if !timer.Stop() {
		// The timer fired (maybe just as the headers came): the context
		// is cancelled, so the body could not be read anyway.
		if err == nil {
			resp.Body.Close()
		}
		err = errHeaderTimeout
	}
	if err == nil && resp.StatusCode == http.StatusSwitchingProtocols && !sameUpgrade(req, resp) {
		resp.Body.Close()
		err = errors.New("instance switched to a protocol the client did not ask for")
	}
	if err != nil {
		cancel()
		b.leave()
		rt.attemptFailed(b, req)
		return nil, err
	}
	keepTrailers(resp)
	rt.answered(r, b, req, resp, start)
	db := &doneBody{ReadCloser: resp.Body, done: func() { cancel(); b.leave() }}
	// Backstop: whatever happens to the body, the request is over when
	// the client's request ends.
	context.AfterFunc(req.Context(), func() { db.once.Do(db.done) })
	resp.Body = db
	return resp, nil
}

// retryable reports whether a failed attempt may go to another instance:
// when the connection was never made (nothing was sent), or when the
// request has no body and is safe to repeat.
func retryable(req *http.Request, body *trackedBody, err error) bool {
	if req.Context().Err() != nil || (body != nil && body.touched()) || errors.Is(err, errHeaderTimeout) {
		return false // a slow instance may be working on it: do not run it twice
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return req.Body == nil || req.Body == http.NoBody
	}
	return false
}

// sameUpgrade reports whether a 101 switches to the protocol asked for.
func sameUpgrade(req *http.Request, resp *http.Response) bool {
	want, got := req.Header.Get("Upgrade"), resp.Header.Get("Upgrade")
	return want != "" && strings.EqualFold(want, got)
}

// trackedBody remembers whether the request body was read, and the error
// reading it from the client met, and does not let the transport close
// it: a failed attempt closes its request body, and a retry needs it.
// The server closes the real body after the handler.
type trackedBody struct {
	io.ReadCloser
	mu   sync.Mutex // guards read and err
	read bool
	err  error // the first read error but EOF: the client's
}

func (b *trackedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	b.read = true
	b.mu.Unlock()
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
	return n, err
}

// failure returns the error reading the client's body met, if any; nil
// for a nil body.
func (b *trackedBody) failure() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func (b *trackedBody) Close() error { return nil }

func (b *trackedBody) touched() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.read
}

// doneBody calls done once, when the response body is closed.
type doneBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *doneBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// Write lets an upgraded (WebSocket) connection's body be written to.
func (b *doneBody) Write(p []byte) (int, error) {
	if w, ok := b.ReadCloser.(io.Writer); ok {
		return w.Write(p)
	}
	return 0, errors.New("response body is not writable")
}

// bufferPool reuses the copy buffers: the proxies' (Get and Put, the
// httputil.BufferPool contract) and the fast path's (get and put, which
// pass the pointer the pool holds and so allocate nothing).
type bufferPool struct{ p sync.Pool }

func newBufferPool() *bufferPool {
	return &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}
}

func (bp *bufferPool) Get() []byte  { return *bp.get() }
func (bp *bufferPool) Put(b []byte) { bp.put(&b) }

func (bp *bufferPool) get() *[]byte  { return bp.p.Get().(*[]byte) }
func (bp *bufferPool) put(b *[]byte) { bp.p.Put(b) }

// drainPoll is how often Drain looks at an instance's in-flight count.
const drainPoll = 10 * time.Millisecond
