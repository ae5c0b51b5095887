package promtest

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// readyTimeout bounds the wait for a started Prometheus to answer /-/ready.
const readyTimeout = 30 * time.Second

// startAttempts is how often Start tries a fresh port when Prometheus exits
// before it is ready (most likely: someone took the free port meanwhile).
const startAttempts = 3

// Server is a running Prometheus, stopped when its test ends.
type Server struct {
	// URL is its base URL, e.g. http://127.0.0.1:41234.
	URL string
	log *logBuffer
}

// Start runs Prometheus scraping targets ("host:port", or a URL whose host
// and port are taken) at /metrics every second, waits until it is ready,
// and stops it when t ends.
func Start(t testing.TB, targets ...string) *Server {
	t.Helper()
	return StartWithToken(t, "", targets...)
}

// StartWithToken is Start with Prometheus sending token as a bearer
// token on every scrape (a Slipway server's /metrics takes one).
func StartWithToken(t testing.TB, token string, targets ...string) *Server {
	t.Helper()
	bin := binary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, config(targets, token), 0o600); err != nil {
		t.Fatalf("write prometheus config: %v", err)
	}
	var lastLog string
	for range startAttempts {
		s, ok := launch(t, bin, cfg, dir)
		if ok {
			return s
		}
		lastLog = s.log.tail()
	}
	t.Fatalf("prometheus exited before it was ready, %d times; last log:\n%s", startAttempts, lastLog)
	return nil
}

// launch starts one Prometheus on a free port and waits until it is ready.
// It reports false if the process exited first; it fails t on a timeout.
func launch(t testing.TB, bin, cfg, dir string) (*Server, bool) {
	t.Helper()
	addr := freeAddr(t)
	s := &Server{URL: "http://" + addr, log: &logBuffer{}}
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
	)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start prometheus: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { stop(cmd, exited) })
	return s, s.awaitReady(t, exited)
}

// awaitReady polls /-/ready until it answers 200. It reports false if the
// process exits first and fails t if readyTimeout passes.
func (s *Server) awaitReady(t testing.TB, exited <-chan struct{}) bool {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if resp, err := client.Get(s.URL + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-exited:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("prometheus at %s not ready after %s; log:\n%s", s.URL, readyTimeout, s.log.tail())
	return false
}

// Log returns the end of Prometheus's log, for a failing test's message.
func (s *Server) Log() string { return s.log.tail() }

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
}

// stop ends the process by its PID: SIGTERM, then SIGKILL if it lingers.
func stop(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return
	case <-time.After(5 * time.Second):
	}
	_ = cmd.Process.Kill()
	<-exited
}
