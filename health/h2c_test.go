package health

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// h2cOnly serves handler over HTTP/2 with prior knowledge only, as an
// instance with route.protocol: h2c may: net/http's server closes an
// HTTP/1.1 connection without an answer. It returns the port.
func h2cOnly(t *testing.T, handler http.Handler) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: handler, Protocols: &p}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// TestMonitorH2CInstance checks an h2c-only instance with an http
// readiness check: seen failing while it answers 503, ready once it
// answers 200 and failing again after, every check over HTTP/2.
func TestMonitorH2CInstance(t *testing.T) {
	var ready atomic.Bool
	var http1 atomic.Int32
	port := h2cOnly(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http1.Add(1)
		}
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	changes := make(chan Change, 10)
	m := NewMonitor(func(c Change) { changes <- c })
	defer m.Close()
	probe := &spec.Probe{HTTP: "/healthz", Interval: spec.Duration{Duration: 20 * time.Millisecond}, Timeout: spec.Duration{Duration: time.Second}, FailureThreshold: 2, SuccessThreshold: 1}
	m.Watch(Watch{Target: Target{ID: "h", Port: port, H2C: true}, PID: 1, Readiness: probe})

	failing := "failing: GET /healthz -> 503 (2 in a row)"
	if c := next(t, changes); c.State != Failing || c.Summary != failing {
		t.Fatalf("first change %+v, want readiness failing", c)
	}
	ready.Store(true)
	if c := next(t, changes); c.State != Passing || c.Kind != Readiness {
		t.Fatalf("second change %+v, want readiness passing", c)
	}
	ready.Store(false)
	if c := next(t, changes); c.State != Failing || c.Summary != failing {
		t.Fatalf("third change %+v, want readiness failing", c)
	}
	if n := http1.Load(); n != 0 {
		t.Fatalf("%d checks reached the instance over HTTP/1", n)
	}
}

// TestProbeH2COnlyRefusesHTTP1 shows why the protocol matters: the same
// h2c-only instance fails an HTTP/1.1 check and passes an h2c one.
func TestProbeH2COnlyRefusesHTTP1(t *testing.T) {
	port := h2cOnly(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	pr := NewProber()
	p := spec.Probe{HTTP: "/healthz", Timeout: spec.Duration{Duration: time.Second}}
	if r := pr.Probe(context.Background(), p, Target{ID: "h", Port: port}); r.OK {
		t.Fatalf("HTTP/1.1 check of an h2c-only instance passed: %+v", r)
	} else if !strings.HasPrefix(r.Detail, "GET /healthz: ") {
		t.Fatalf("HTTP/1.1 check detail %q", r.Detail)
	}
	if r := pr.Probe(context.Background(), p, Target{ID: "h", Port: port, H2C: true}); !r.OK || r.Detail != "GET /healthz -> 200" {
		t.Fatalf("h2c check: %+v", r)
	}
}
