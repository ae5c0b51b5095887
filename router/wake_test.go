package router

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWakeHoldsUntilAnInstanceJoins: requests to a route marked Wake
// with no instance are held while the Waker starts one (here, a real
// HTTP server that joins the table 200ms later), then all are served.
func TestWakeHoldsUntilAnInstanceJoins(t *testing.T) {
	var rt *Router
	var wakes atomic.Int32
	be := backendServer(t, "web-1", nil)
	rt = New(Config{Waker: func(service string) {
		if wakes.Add(1) == 1 {
			go func() {
				time.Sleep(200 * time.Millisecond) // the instance starts and passes readiness
				rt.Update([]Route{{Service: service, Wake: true, Backends: []Backend{be}}})
			}()
		}
	}})
	rt.Update([]Route{{Service: "web", Wake: true}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	var wg sync.WaitGroup
	codes := make([]int, 20)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(srv.URL + "/")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d: %d", i, c)
		}
	}
	if wakes.Load() == 0 || rt.Held() != 0 {
		t.Errorf("wakes %d, held %d", wakes.Load(), rt.Held())
	}
}

// TestWakeTimesOutWith503: no instance joins within HoldTimeout: a 503
// that says the service was scaled to zero; a route not marked Wake
// gets the plain 503 at once, and the Waker is never asked.
func TestWakeTimesOutWith503(t *testing.T) {
	var asked []string
	var mu sync.Mutex
	rt := New(Config{HoldTimeout: 100 * time.Millisecond, Waker: func(s string) {
		mu.Lock()
		asked = append(asked, s)
		mu.Unlock()
	}})
	rt.Update([]Route{{Service: "idle", Path: "/idle", Wake: true}, {Service: "down", Path: "/down"}})
	code, body := get(t, rt, "x", "/idle")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "scaled to zero and did not start in time") {
		t.Errorf("held: %d %q", code, body)
	}
	code, body = get(t, rt, "x", "/down")
	if code != http.StatusServiceUnavailable || strings.Contains(body, "scaled to zero") {
		t.Errorf("not wakeable: %d %q", code, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 || asked[0] != "idle" {
		t.Errorf("waker asked for %v", asked)
	}
}

// TestWakeHoldIsBounded: past MaxHeld waiting requests, the next gets a
// 503 while the first still waits. The hold timeout is an hour: a 503
// can only be the bound's, and a bound that did not hold would leave the
// request waiting (the test's own timeout fails it).
func TestWakeHoldIsBounded(t *testing.T) {
	release := make(chan struct{})
	rt := New(Config{MaxHeld: 1, HoldTimeout: time.Hour, Waker: func(string) {}})
	rt.Update([]Route{{Service: "web", Wake: true}})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	first := make(chan struct{})
	go func() {
		defer close(first)
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		ctx, cancel := contextUntil(release)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err == nil {
			resp.Body.Close()
		}
	}()
	for rt.Held() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	code, body := get(t, rt, "x", "/")
	held := rt.Held()
	close(release)
	<-first
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "scaled to zero") || held != 1 {
		t.Errorf("second request: %d %q with %d held, want a 503 while the first is held", code, body, held)
	}
}

// contextUntil is a context that ends when ch closes.
func contextUntil(ch <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-ch
		cancel()
	}()
	return ctx, cancel
}

// TestWakeAsksAgain: a wake that is lost (the Waker's first call starts
// nothing) is asked again while the request is held, which HeldFor
// counts under its service; the second call's instance serves it.
func TestWakeAsksAgain(t *testing.T) {
	var rt *Router
	var calls atomic.Int32
	be := backendServer(t, "web-1", nil)
	rt = New(Config{Waker: func(service string) {
		if calls.Add(1) == 2 {
			go rt.Update([]Route{{Service: service, Wake: true, Backends: []Backend{be}}})
		}
	}})
	rt.Update([]Route{{Service: "web", Wake: true}})
	done := make(chan int, 1)
	go func() {
		code, _ := get(t, rt, "x", "/")
		done <- code
	}()
	for rt.HeldFor("web") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if n := rt.HeldFor("other"); n != 0 {
		t.Errorf("held for another service: %d", n)
	}
	if code := <-done; code != http.StatusOK || calls.Load() < 2 {
		t.Errorf("status %d after %d wakes, want 200 after the second", code, calls.Load())
	}
	if n := rt.HeldFor("web"); n != 0 {
		t.Errorf("still held after the answer: %d", n)
	}
}
