package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// requestTimeout bounds one user request: past it, the request counts
// as failed (no answer).
const requestTimeout = 2 * time.Second

// answer is what one user request got.
type answer struct {
	sent    time.Time // when the request was sent
	status  int       // HTTP status; 0 when there was no answer
	version string    // "version" of the JSON body; "" when there is none
}

// failed reports whether the user saw a failure: a 5xx or no answer.
func (a answer) failed() bool { return a.status == 0 || a.status >= 500 }

// canaryError reports whether the canary gave the answer, failing: a 500
// (its injected failure, a text body without a version; stable never
// fails, and the router's own errors are 502-504).
func (a answer) canaryError() bool { return a.status == 500 }

// traffic is user traffic at a fixed rate through the router: a ticker
// starts each request on its own goroutine, so that a slow answer does
// not slow the rate down (an open-loop client, as users are).
type traffic struct {
	url, host string
	every     time.Duration
	hc        *http.Client
	cancel    context.CancelFunc
	done      chan struct{} // closed when the ticker loop and every request are over
	stop      sync.Once

	mu      sync.Mutex // guards answers
	answers []answer
}

// newTraffic prepares rate requests per second to url with the Host
// header host; Start sends them.
func newTraffic(url, host string, rate int) *traffic {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256 // keep-alive for every request in flight
	return &traffic{url: url, host: host, every: time.Second / time.Duration(rate),
		hc: &http.Client{Transport: tr, Timeout: requestTimeout}, done: make(chan struct{})}
}

// Start sends requests until Stop or until ctx ends.
func (t *traffic) Start(ctx context.Context) {
	ctx, t.cancel = context.WithCancel(ctx)
	go t.run(ctx)
}

// Stop stops sending, waits for the requests in flight (each bounded by
// requestTimeout) and returns every answer, in the order they came. It
// may be called more than once.
func (t *traffic) Stop() []answer {
	t.stop.Do(func() {
		t.cancel()
		<-t.done
		t.hc.CloseIdleConnections()
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.answers
}

func (t *traffic) run(ctx context.Context) {
	defer close(t.done)
	var inflight sync.WaitGroup
	defer inflight.Wait()
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			inflight.Go(func() { t.record(t.send()) })
		}
	}
}

// send sends one request; it is not bound to the traffic's context, so
// that stopping lets the requests in flight finish.
func (t *traffic) send() answer {
	a := answer{sent: time.Now()}
	req, err := http.NewRequest(http.MethodGet, t.url, nil)
	if err != nil {
		return a
	}
	req.Host = t.host
	resp, err := t.hc.Do(req)
	if err != nil {
		return a
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return a // a cut answer is no answer
	}
	a.status = resp.StatusCode
	var v struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(body, &v) == nil {
		a.version = v.Version
	}
	return a
}

func (t *traffic) record(a answer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.answers = append(t.answers, a)
}
