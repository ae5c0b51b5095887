package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// ioTimeout bounds one request of the load generator.
const ioTimeout = 5 * time.Second

// load is a closed-loop load generator: conns connections, each its own
// goroutine sending the next of reqs (written out ahead, HTTP/1.1,
// keep-alive) as soon as the answer to the last one is read with
// net/http's parser. It is lighter than net/http's client, so that more
// of the two cores goes to the server under test.
type load struct {
	addr   string   // host:port
	reqs   [][]byte // requests, sent in turn
	status int      // the status every answer must have
	conns  int
	warmup time.Duration // sent but not counted
	dur    time.Duration // measured
	pid    int           // the server's process, for its CPU time
}

// loadResult is what a load measured: requests that started within the
// measured window and their latencies (write to end of body).
type loadResult struct {
	n, errs  int
	firstErr string
	rate     float64 // requests per second
	p50, p99 time.Duration
	cpuReq   time.Duration // server utime+stime per request
}

// workerResult is one connection's share.
type workerResult struct {
	lat      []time.Duration
	errs     int
	firstErr string
}

// run sends load for warmup+dur and measures the last dur.
func (l load) run(ctx context.Context) (loadResult, error) {
	start := time.Now()
	from, end := start.Add(l.warmup), start.Add(l.warmup+l.dur)
	results := make([]workerResult, l.conns)
	var wg sync.WaitGroup
	for i := range l.conns {
		wg.Go(func() { results[i] = l.worker(ctx, i, from, end) })
	}
	if err := sleepUntil(ctx, from); err != nil {
		wg.Wait()
		return loadResult{}, err
	}
	cpu0, err := benchkit.CPUTime(l.pid)
	if err != nil {
		wg.Wait()
		return loadResult{}, err
	}
	wg.Wait()
	cpu1, err := benchkit.CPUTime(l.pid)
	if err != nil {
		return loadResult{}, err
	}
	if ctx.Err() != nil {
		return loadResult{}, fmt.Errorf("load interrupted: %w", ctx.Err())
	}
	return summarize(results, l.dur, cpu1-cpu0), nil
}

func summarize(ws []workerResult, dur, cpu time.Duration) loadResult {
	var r loadResult
	var lat []time.Duration
	for _, w := range ws {
		lat = append(lat, w.lat...)
		r.errs += w.errs
		if r.firstErr == "" {
			r.firstErr = w.firstErr
		}
	}
	slices.Sort(lat)
	r.n = len(lat)
	r.rate = float64(r.n) / dur.Seconds()
	if r.n > 0 {
		r.p50, r.p99 = lat[(r.n-1)*50/100], lat[(r.n-1)*99/100]
		r.cpuReq = cpu / time.Duration(r.n)
	}
	return r
}

// worker keeps one connection busy until end; it reconnects after an
// error (which counts) and when the server closes the connection.
func (l load) worker(ctx context.Context, id int, from, end time.Time) workerResult {
	w := workerResult{lat: make([]time.Duration, 0, 1<<14)}
	var c *conn
	defer func() { c.close() }()
	for i := id * 7919; ctx.Err() == nil; i++ { // spread the workers over reqs
		t0 := time.Now()
		if !t0.Before(end) {
			break
		}
		if c == nil {
			var err error
			if c, err = dial(l.addr); err != nil {
				w.fail(err.Error())
				time.Sleep(10 * time.Millisecond)
				continue
			}
		}
		status, keep, err := c.roundTrip(l.reqs[i%len(l.reqs)], t0)
		d := time.Since(t0)
		switch {
		case err != nil:
			w.fail(err.Error())
		case status != l.status:
			w.fail(fmt.Sprintf("status %d, want %d", status, l.status))
		case !t0.Before(from):
			w.lat = append(w.lat, d)
		}
		if err != nil || !keep {
			c.close()
			c = nil
		}
	}
	return w
}

func (w *workerResult) fail(msg string) {
	w.errs++
	if w.firstErr == "" {
		w.firstErr = msg
	}
}

// conn is one kept-alive connection.
type conn struct {
	nc net.Conn
	br *bufio.Reader
}

func dial(addr string) (*conn, error) {
	nc, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, br: bufio.NewReaderSize(nc, 64<<10)}, nil
}

// roundTrip writes req, reads the whole answer, and reports its status
// and whether the connection may be used again.
func (c *conn) roundTrip(req []byte, now time.Time) (status int, keep bool, err error) {
	if err := c.nc.SetDeadline(now.Add(ioTimeout)); err != nil {
		return 0, false, err
	}
	if _, err := c.nc.Write(req); err != nil {
		return 0, false, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, false, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, !resp.Close, err
}

func (c *conn) close() {
	if c != nil {
		c.nc.Close()
	}
}

func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
