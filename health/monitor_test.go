package health

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

func portOf(t *testing.T, srv *httptest.Server) int {
	t.Helper()
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

func TestMonitorReportsReadyThenFailing(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	changes := make(chan Change, 10)
	m := NewMonitor(func(c Change) { changes <- c })
	defer m.Close()
	probe := &spec.Probe{HTTP: "/healthz", Interval: spec.Duration{Duration: 20 * time.Millisecond}, Timeout: spec.Duration{Duration: time.Second}, FailureThreshold: 2, SuccessThreshold: 1}
	m.Watch(Watch{Target: Target{ID: "a", Port: portOf(t, srv)}, PID: 1, Readiness: probe})

	if c := next(t, changes); c.State != Passing || c.Kind != Readiness {
		t.Fatalf("first change %+v, want readiness passing", c)
	}
	healthy.Store(false)
	c := next(t, changes)
	if c.State != Failing || c.Summary != "failing: GET /healthz -> 503 (2 in a row)" {
		t.Fatalf("second change %+v", c)
	}
}

func TestMonitorWithoutReadinessIsReadyAtOnce(t *testing.T) {
	changes := make(chan Change, 1)
	m := NewMonitor(func(c Change) { changes <- c })
	defer m.Close()
	m.Watch(Watch{Target: Target{ID: "b", Port: 1}, PID: 7})
	if c := next(t, changes); c.State != Passing || c.ID != "b" {
		t.Fatalf("change %+v", c)
	}
}

func TestMonitorLivenessFailsOnClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	changes := make(chan Change, 4)
	m := NewMonitor(func(c Change) { changes <- c })
	defer m.Close()
	live := &spec.Probe{TCP: true, Interval: spec.Duration{Duration: 10 * time.Millisecond}, FailureThreshold: 3, SuccessThreshold: 1}
	ready := &spec.Probe{TCP: true, Interval: spec.Duration{Duration: time.Hour}, FailureThreshold: 3, SuccessThreshold: 1}
	m.Watch(Watch{Target: Target{ID: "c", Port: port}, PID: 3, Liveness: live, Readiness: ready, WasReady: true})
	c := next(t, changes)
	if c.Kind != Liveness || c.State != Failing {
		t.Fatalf("change %+v, want liveness failing", c)
	}
}

func next(t *testing.T, ch <-chan Change) Change {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no health change within 5s")
		return Change{}
	}
}

// TestMonitorStartingInstanceFailsAtItsInterval: the fast checks of an
// instance not ready yet come every few milliseconds, but only one check
// an interval counts toward the failure threshold, so an instance that
// needs longer than a few fast checks to start (a JVM, a Python app) is
// not reported failing (a record write, an event) sooner than its spec
// says.
func TestMonitorStartingInstanceFailsAtItsInterval(t *testing.T) {
	var checks atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checks.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	changes := make(chan Change, 10)
	m := NewMonitor(func(c Change) { changes <- c })
	defer m.Close()
	probe := &spec.Probe{HTTP: "/healthz", Interval: spec.Duration{Duration: time.Hour}, Timeout: spec.Duration{Duration: time.Second}, FailureThreshold: 2, SuccessThreshold: 1}
	m.Watch(Watch{Target: Target{ID: "s", Port: portOf(t, srv)}, PID: 1, Readiness: probe})
	deadline := time.Now().Add(30 * time.Second)
	for checks.Load() < 10 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := checks.Load(); n < 10 {
		t.Fatalf("%d checks of a starting instance, want fast checks", n)
	}
	select {
	case c := <-changes:
		t.Fatalf("change %+v after %d failed checks of a starting instance, only one of them counted", c, checks.Load())
	default:
	}
	if got := m.Summary("s", Readiness); got != "unknown: GET /healthz -> 503 (1 in a row)" {
		t.Fatalf("summary %q", got)
	}
}
