package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// Bounds on the server's lifecycle.
const (
	healthyTimeout = 15 * time.Second // start -> /v1/health answers
	stopTimeout    = 10 * time.Second // SIGTERM -> gone, before SIGKILL
)

// server is one `slipway server` child process over its own data
// directory (benchkit.Server). Close stops it and every instance it
// started.
type server struct{ *benchkit.Server }

// startServer starts a server over data on free loopback ports and waits
// until it answers /v1/health.
func startServer(ctx context.Context, bin, data string) (*server, error) {
	s, err := benchkit.StartServer(ctx, bin, data, healthyTimeout)
	if err != nil {
		return nil, err
	}
	return &server{s}, nil
}

// Close stops the server and every instance it started.
func (s *server) Close() error { return s.Stop(stopTimeout) }

// httpOK reports whether GET url answers 200.
func httpOK(ctx context.Context, hc *http.Client, url string) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, strings.TrimPrefix(err.Error(), "Get ")
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, resp.Status
}
