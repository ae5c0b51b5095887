package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/loadgen"
)

// scaledSpec is one service, fn, run by the order binary, routed at
// fnHost, each request taking latency, autoscaled by scale (a YAML
// flow mapping).
func scaledSpec(latency, scale string) string {
	return fmt.Sprintf(`app: fn
services:
  fn:
    run: ["./bin/order", "--name", "fn", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: v1, LATENCY: %s}
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: %s}
    stopGrace: 2s
    scale: %s
`, latency, fnHost, scale)
}

const fnHost = "fn.localhost"

// startScaled starts a server and applies scaledSpec to it.
func startScaled(t *testing.T, data, latency, scale string) *server {
	t.Helper()
	srv := startServer(t, data)
	file := writeSpec(t, specDir(t), "slipway.yaml", scaledSpec(latency, scale))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "30s")
	return srv
}

// load sends requests to fn from workers closed-loop clients (each one
// request in flight) until the returned stop is called, which returns
// the counts.
func (s *server) load(workers int) (stop func() loadgen.Result) {
	ctx, cancel := context.WithCancel(context.Background())
	var res loadgen.Result
	var wg sync.WaitGroup
	wg.Go(func() {
		res = loadgen.Run(ctx, loadgen.Config{URL: "http://" + s.router + "/", Host: fnHost, Workers: workers, Timeout: 20 * time.Second})
	})
	return func() loadgen.Result {
		cancel()
		wg.Wait()
		return res
	}
}

// waitCount waits until fn wants n instances and has n ready.
func (s *server) waitCount(timeout time.Duration, n int) {
	s.t.Helper()
	waitFor(s.t, timeout, fmt.Sprintf("fn at %d ready instances", n), func() (bool, string) {
		fn := s.service("fn")
		live := 0
		for _, in := range fn.Instances {
			if in.State != "Stopping" {
				live++
			}
		}
		return fn.Desired == n && fn.Ready == n && live == n, fmt.Sprintf("desired %d, ready %d, live %d", fn.Desired, fn.Ready, live)
	})
}

// autoscaledEvents returns fn's service.autoscaled events' data.
func (s *server) autoscaledEvents() []api.Event {
	var out []api.Event
	for _, e := range s.events() {
		if e.Type == "service.autoscaled" {
			out = append(out, e)
		}
	}
	return out
}

// TestAutoscaleOneToNAndBack: 8 clients, each request taking 100ms,
// hold 8 in flight against a target of 2 per instance: fn goes from 1
// instance to its max 4, with events saying why, and back to 1 once the
// load ends and the windows pass; not one request fails on the way.
func TestAutoscaleOneToNAndBack(t *testing.T) {
	srv := startScaled(t, t.TempDir(), "100ms", "{min: 1, max: 4, target: {concurrency: 2}, stabilization: {down: 3s}}")
	srv.waitCount(10*time.Second, 1)
	stop := srv.load(8)
	srv.waitCount(30*time.Second, 4)
	if r := stop(); r.Failed != 0 || r.Sent == 0 {
		t.Errorf("under load while scaling up: %s (%v)", r, r.Errors)
	}
	evs := srv.autoscaledEvents()
	if len(evs) == 0 || !strings.Contains(evs[0].Message, "concurrency") || !strings.Contains(evs[0].Message, "over target 2 x 1 instances") {
		t.Errorf("autoscaled events %+v, want the first saying concurrency over target 2 x 1 instances", evs)
	}
	out := srv.mustCLI("status", "fn").stdout
	if !strings.Contains(out, "autoscale 1..4 on concurrency 2") {
		t.Errorf("status does not show autoscaling:\n%s", out)
	}
	// Down after the load has been gone for the stable window (60s) and
	// the down window, with a trickle of requests that must all succeed.
	stop = srv.load(1)
	srv.waitCount(2*time.Minute, 1)
	if r := stop(); r.Failed != 0 {
		t.Errorf("while scaling down: %s (%v)", r, r.Errors)
	}
}

// TestAutoscaleToZeroAndWake: idle for idleAfter, fn has no instance
// and status says "scaled to zero"; 20 requests at once wake it and all
// succeed; a server killed with -9 while fn is at zero is followed by
// one that starts nothing by itself and still wakes fn on the next
// request.
func TestAutoscaleToZeroAndWake(t *testing.T) {
	data := t.TempDir()
	srv := startScaled(t, data, "0s", "{min: 0, max: 2, target: {concurrency: 10}, idleAfter: 3s}")
	srv.waitCount(20*time.Second, 0)
	if out := srv.mustCLI("status").stdout; !strings.Contains(out, "scaled to zero") {
		t.Errorf("status at zero:\n%s", out)
	}
	if fn := srv.service("fn"); fn.Phase != "Ready" {
		t.Errorf("phase %s at zero, want Ready", fn.Phase)
	}
	if failed := burst(t, srv.router, 20); failed != 0 {
		t.Fatalf("%d of 20 requests to a service at zero failed", failed)
	}
	evs := srv.autoscaledEvents()
	if last := evs[len(evs)-1]; !strings.Contains(last.Message, "0 -> 1") || !strings.Contains(last.Message, "request arrived") {
		t.Errorf("last autoscaled event %q, want 0 -> 1 because a request arrived", last.Message)
	}

	srv.waitCount(20*time.Second, 0)
	srv.kill()
	srv2 := startServer(t, data)
	time.Sleep(3 * time.Second) // a few passes of the new server's autoscaler
	if fn := srv2.service("fn"); len(fn.Instances) != 0 || fn.Desired != 0 {
		t.Fatalf("the restarted server started fn by itself: %+v", fn)
	}
	if failed := burst(t, srv2.router, 5); failed != 0 {
		t.Fatalf("%d of 5 requests to a service at zero failed after a server kill -9", failed)
	}
}

// burst sends n requests to fn at once and returns how many failed.
func burst(t *testing.T, router string, n int) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	client := &http.Client{Timeout: 30 * time.Second}
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, "http://"+router+"/", nil)
			req.Host = fnHost
			resp, err := client.Do(req)
			if err == nil {
				var m map[string]string
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && json.Unmarshal(b, &m) == nil && m["service"] == "fn" {
					return
				}
				err = fmt.Errorf("status %d: %s", resp.StatusCode, b)
			}
			t.Log(err)
			mu.Lock()
			failed++
			mu.Unlock()
		})
	}
	wg.Wait()
	return failed
}

// TestAutoscaleBurstWhileScaling: while fn scales up under steady load,
// a burst of 40 more clients arrives; it scales to its max and no
// request fails.
func TestAutoscaleBurstWhileScaling(t *testing.T) {
	srv := startScaled(t, t.TempDir(), "50ms", "{min: 1, max: 6, target: {concurrency: 2}}")
	srv.waitCount(10*time.Second, 1)
	steady := srv.load(4)
	waitFor(t, 20*time.Second, "fn scaling up", func() (bool, string) {
		fn := srv.service("fn")
		return fn.Desired > 1, fmt.Sprintf("desired %d", fn.Desired)
	})
	spike := srv.load(40)
	srv.waitCount(30*time.Second, 6)
	time.Sleep(2 * time.Second)
	rs, rb := steady(), spike()
	if rs.Failed != 0 || rb.Failed != 0 {
		t.Errorf("steady %s (%v), burst %s (%v): want no failure", rs, rs.Errors, rb, rb.Errors)
	}
}
