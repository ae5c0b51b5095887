// Package loadgen sends steady HTTP load and counts what failed: the
// demo runs it through a release to show that no request fails, and the
// zero-downtime tests assert it.
package loadgen

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config says what to request and how hard.
type Config struct {
	URL string
	// Host, when set, is sent as the Host header (routes by host).
	Host string
	// Workers is the number of concurrent keep-alive clients (default 8).
	Workers int
	// Interval is each worker's pause between requests (0: none).
	Interval time.Duration
	// Timeout bounds one request (default 5s).
	Timeout time.Duration
	// TLS, when set, is the client's TLS configuration for an https URL
	// (HTTP/2 is offered).
	TLS *tls.Config
}

// Result counts the requests sent. A request failed when it got no
// answer (connection error, timeout) or a status of 500 or more.
type Result struct {
	Sent, OK, Failed int64
	// Errors holds a few failures, for the report.
	Errors []string
}

func (r Result) String() string {
	return fmt.Sprintf("%d requests, %d failed", r.Sent, r.Failed)
}

// Run sends requests until ctx ends, then returns the counts.
func Run(ctx context.Context, cfg Config) Result {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	client := &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers, Proxy: nil,
		TLSClientConfig: cfg.TLS, ForceAttemptHTTP2: cfg.TLS != nil}}
	defer client.CloseIdleConnections()
	var c counter
	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Go(func() { worker(ctx, client, cfg, &c) })
	}
	wg.Wait()
	return c.result()
}

func worker(ctx context.Context, client *http.Client, cfg Config, c *counter) {
	for ctx.Err() == nil {
		status, err := once(ctx, client, cfg)
		if ctx.Err() != nil {
			return // cut short by the end of the run, not by the server
		}
		c.add(status, err)
		if cfg.Interval > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(cfg.Interval):
			}
		}
	}
}

func once(ctx context.Context, client *http.Client, cfg Config) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.URL, nil)
	if err != nil {
		return 0, err
	}
	if cfg.Host != "" {
		req.Host = cfg.Host
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 { // keep the start of the page: it says why
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return resp.StatusCode, fmt.Errorf("status %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

type counter struct {
	sent, ok, failed atomic.Int64
	mu               sync.Mutex // guards errs
	errs             []string
}

func (c *counter) add(status int, err error) {
	c.sent.Add(1)
	if err == nil && status < 500 {
		c.ok.Add(1)
		return
	}
	c.failed.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) < 5 {
		if err == nil {
			err = fmt.Errorf("status %d", status)
		}
		c.errs = append(c.errs, err.Error())
	}
}

func (c *counter) result() Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Result{Sent: c.sent.Load(), OK: c.ok.Load(), Failed: c.failed.Load(), Errors: append([]string(nil), c.errs...)}
}
