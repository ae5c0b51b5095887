package router

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"time"
)

// The fast path sends a request on the serving goroutine over a pooled
// keep-alive connection: write the request, read the response headers,
// hand the body over; the connection goes back to the pool when the body
// was read to its end. http.Transport does the same with a read and a
// write goroutine per connection and channel handoffs between them and
// the caller, which cost the router about a third of its CPU.
//
// It takes only requests without a body, with a method safe to repeat,
// that are no upgrade and expect no 100-continue (fastPathOK). A request
// body has to be written while the answer may already be coming (an
// instance may refuse a large upload early and close): http.Transport
// reads and writes at once, a synchronous writer would lose that answer
// or block. And only a request safe to repeat can be replayed on a fresh
// connection when a pooled one turns out to be closed by the instance:
// the pool has no reader to notice that while it is idle.

// fastPathOK reports whether req may take the fast path.
func fastPathOK(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return false
	}
	return (req.Body == nil || req.Body == http.NoBody) &&
		req.Header["Upgrade"] == nil && req.Header["Expect"] == nil
}

// fastAttempt is attempt over the fast path: req goes to b, counted in
// flight until its response body closes. With client set, req is the
// client's own request, written as forwarded (writeForwarded) and left
// as it is, and informational answers go straight to client; without,
// req is an outgoing request (a ReverseProxy's, a mirrored copy) and is
// aimed at b.
func (rt *Router) fastAttempt(r *route, b *backend, req *http.Request, client http.ResponseWriter) (*http.Response, error) {
	if client == nil {
		req.URL.Host = b.Addr
	}
	start := rt.now()
	if err := enter(b, true); err != nil {
		return nil, err
	}
	resp, pc, err := rt.exchange(r, b, req, client)
	if err != nil {
		b.leave()
		rt.attemptFailed(b, req)
		return nil, err
	}
	rt.answered(r, b, req, resp, start)
	resp.Body = &fastBody{rc: resp.Body, pc: pc, rt: rt, b: b,
		eof: resp.Body == http.NoBody, keep: !resp.Close}
	return resp, nil
}

// attemptFailed counts a failed attempt against the instance, unless the
// client went away or its body could not be read: that says nothing of
// the instance's health.
func (rt *Router) attemptFailed(b *backend, req *http.Request) {
	if req.Context().Err() == nil && !clientBodyFailed(req) {
		b.failed(rt.now())
	}
}

// answered does the health and Observer accounting of an answer, and
// tells the request's BackendRecorder, if any, who answered.
func (rt *Router) answered(r *route, b *backend, req *http.Request, resp *http.Response, start time.Time) {
	if rt.cfg.RecordBackends {
		if rec, ok := req.Context().Value(recorderKey{}).(BackendRecorder); ok {
			rec.RecordBackend(b.Revision, b.ID)
		}
	}
	if resp.StatusCode >= 500 {
		b.failed(rt.now())
	} else {
		b.succeeded()
	}
	if o := rt.cfg.Observer; o != nil {
		o.Observe(Sample{Service: r.Service, Revision: b.Revision, Instance: b.ID, Status: resp.StatusCode, Duration: rt.now().Sub(start)})
	}
}

// exchange sends req on a pooled connection to b, or a new one, and
// reads the response headers within the route's timeout. A pooled
// connection that fails before the instance said anything was closed by
// it while idle: the request goes again on a new connection, as
// http.Transport does. The request is pc's until pc.finish (fastBody).
// client is fastAttempt's.
func (rt *Router) exchange(r *route, b *backend, req *http.Request, client http.ResponseWriter) (*http.Response, *pconn, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, nil, err // the client is gone already
	}
	now := time.Now() // a real clock: it sets I/O deadlines
	deadline := now.Add(r.Timeout)
	var fwd forwarding
	if client != nil {
		fwd = rt.forwardingOf(req)
	}
	pool := rt.pools.of(b.st)
	pc := pool.get(now)
	if pc != nil && pc.mayHaveSpoken(now) && !pc.clean() {
		pc.close() // the instance wrote or closed while it sat idle
		pc = nil
	}
	for {
		if pc == nil {
			c, err := rt.dial(ctx, b.Addr, deadline)
			if err != nil {
				return nil, nil, err
			}
			pc = newPconn(c, pool, b.Addr)
		}
		resp, err := pc.roundTrip(ctx, req, client, &fwd, deadline, now)
		if err == nil {
			return resp, pc, nil
		}
		pc.finish()
		pc.close()
		switch {
		case ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case isTimeout(err):
			return nil, nil, errHeaderTimeout
		case !pc.reused || pc.n > 0:
			return nil, nil, err
		}
		pc = nil // stale: the instance closed it while idle; dial afresh
		now = time.Now()
	}
}

// dial connects to addr within the dial timeout and the route's deadline.
// Past the route's deadline the error is errHeaderTimeout, as when the
// instance is slow to answer.
func (rt *Router) dial(ctx context.Context, addr string, deadline time.Time) (net.Conn, error) {
	d := rt.dialer
	d.Deadline = deadline
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil && ctx.Err() == nil && !time.Now().Before(deadline) {
		return nil, errHeaderTimeout
	}
	return c, err
}

// maxInformational bounds the 1xx answers read before the final one.
const maxInformational = 5

// roundTrip writes req and reads the response headers, all before
// deadline; the body is left to the caller. client is fastAttempt's;
// with it, fwd is what req forwards.
func (pc *pconn) roundTrip(ctx context.Context, req *http.Request, client http.ResponseWriter, fwd *forwarding, deadline, now time.Time) (*http.Response, error) {
	if err := pc.start(ctx, deadline, now); err != nil {
		return nil, err
	}
	var err error
	if client != nil {
		err = writeForwarded(pc.bw, req, pc.addr, fwd)
	} else {
		err = req.Write(pc.bw)
	}
	if err != nil {
		return nil, err
	}
	if err := pc.bw.Flush(); err != nil {
		return nil, err
	}
	for range maxInformational + 1 {
		var into http.Header
		if client != nil {
			into = client.Header()
		}
		resp, err := readResponse(pc.br, req, into)
		if err != nil {
			return nil, err
		}
		switch {
		case resp.StatusCode == http.StatusSwitchingProtocols:
			return nil, errors.New("unexpected 101 Switching Protocols to a request without Upgrade")
		case resp.StatusCode < 200 && client != nil:
			write1xx(client, resp)
			continue
		case resp.StatusCode < 200:
			if err := got1xx(req, resp); err != nil {
				return nil, err
			}
			continue
		}
		pc.headersRead(bodyBuffered(resp, pc.br))
		pc.bodiless = req.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent ||
			resp.StatusCode == http.StatusNotModified
		return resp, nil
	}
	return nil, errors.New("too many 1xx informational responses")
}

// bodyBuffered reports whether the whole body of resp is in br already
// (or it has none): reading it needs no more of the connection.
func bodyBuffered(resp *http.Response, br *bufio.Reader) bool {
	return resp.Body == http.NoBody || (resp.ContentLength >= 0 && len(resp.TransferEncoding) == 0 &&
		int64(br.Buffered()) >= resp.ContentLength)
}

// got1xx passes an informational answer (e.g. 103 Early Hints) on to
// the proxy, which forwards it to the client.
func got1xx(req *http.Request, resp *http.Response) error {
	if trace := httptrace.ContextClientTrace(req.Context()); trace != nil && trace.Got1xxResponse != nil {
		return trace.Got1xxResponse(resp.StatusCode, textproto.MIMEHeader(resp.Header))
	}
	return nil
}

// fastBody is a response body over a pooled connection. Closing it ends
// the request's time in flight; the connection goes back to the pool if
// the body was read to its end and the instance keeps it alive, and is
// closed otherwise (the rest of the body is never read). The proxy reads
// and closes it on one goroutine.
type fastBody struct {
	rc     io.ReadCloser
	pc     *pconn
	rt     *Router
	b      *backend
	eof    bool // the body was read to its end
	keep   bool // the instance did not ask to close the connection
	closed bool
}

func (fb *fastBody) Read(p []byte) (int, error) {
	n, err := fb.rc.Read(p)
	if err == io.EOF {
		fb.eof = true
	}
	return n, err
}

func (fb *fastBody) Close() error {
	if fb.closed {
		return nil
	}
	fb.closed = true
	var err error
	if fb.eof {
		err = fb.rc.Close() // reads nothing more: at EOF already
	}
	watching := fb.pc.finish()
	now := fb.rt.now()
	if !fb.reusable(watching) || !fb.pc.pool.put(fb.pc, now) {
		fb.pc.close()
	}
	fb.rt.pools.maybeSweep(now)
	fb.b.leave()
	return err
}

// reusable reports whether the connection may serve another request.
func (fb *fastBody) reusable(watching bool) bool {
	return watching && fb.eof && fb.keep && fb.pc.br.Buffered() == 0 && fb.b.st.inTable.Load()
}
