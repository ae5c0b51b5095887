package router

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// threadLimitedServer is a real HTTP server that, like a server with a
// thread per connection under a pids limit, holds at most capacity
// connections: one more is closed unanswered. Each request takes work.
// It counts the connections it had to drop.
func threadLimitedServer(t *testing.T, name string, capacity int, work time.Duration) (Backend, *atomic.Int64) {
	t.Helper()
	var open, dropped atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(work)
		fmt.Fprint(w, name)
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			if open.Add(1) > int64(capacity) {
				dropped.Add(1)
				c.Close() // no thread to serve it: closed before an answer
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return Backend{ID: name, Addr: srv.Listener.Addr().String()}, &dropped
}

// TestLimitKeepsABurstWithinWhatInstancesHold: 2,000 requests, 200 at
// a time, to two instances that each hold at most 40 connections: with
// the route's MaxConcurrency at 32 every request is answered 200 (the
// excess waits in the router), and no instance ever drops a connection.
// Without the limit the same load makes them drop connections, which
// the client sees as 502s: the test would fail.
func TestLimitKeepsABurstWithinWhatInstancesHold(t *testing.T) {
	a, droppedA := threadLimitedServer(t, "a", 40, 2*time.Millisecond)
	b, droppedB := threadLimitedServer(t, "b", 40, 2*time.Millisecond)
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "fn", MaxConcurrency: 32, Backends: []Backend{a, b}}})
	codes := load(t, rt, 2000, 200)
	if len(codes) != 1 || codes[http.StatusOK] != 2000 {
		t.Errorf("statuses %v, want 2000 x 200", codes)
	}
	if n := droppedA.Load() + droppedB.Load(); n != 0 {
		t.Errorf("instances dropped %d connections", n)
	}
	if n := rt.Queued("fn"); n != 0 {
		t.Errorf("%d still queued after the load", n)
	}
}

// load sends n GETs through h, conc at a time, from a real client over
// loopback, and counts the statuses (0: a transport error).
func load(t *testing.T, h http.Handler, n, conc int) map[int]int {
	t.Helper()
	front := httptest.NewServer(h)
	defer front.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	codes := map[int]int{}
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for range jobs {
				code := 0
				if resp, err := client.Get(front.URL + "/"); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}
		})
	}
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	return codes
}

// TestLimitServesWaitersOnANewInstance: the only instance is at its
// limit (1) with a request it holds; the next request waits, counted by
// HeldFor (load for the autoscaler), and is served by the instance that
// joins the table.
func TestLimitServesWaitersOnANewInstance(t *testing.T) {
	release := make(chan struct{})
	slow := backendServer(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		<-release
		fmt.Fprint(w, "slow")
	})
	defer close(release)
	fresh := backendServer(t, "fresh", nil)
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "fn", MaxConcurrency: 1, Backends: []Backend{slow}}})
	go func() { _, _ = getQuiet(rt, "/") }()
	for rt.InFlight("slow") == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan string, 1)
	go func() {
		_, body := getQuiet(rt, "/")
		done <- body
	}()
	for rt.HeldFor("fn") == 0 {
		time.Sleep(time.Millisecond)
	}
	rt.Update([]Route{{Service: "fn", MaxConcurrency: 1, Backends: []Backend{slow, fresh}}})
	if body := <-done; body != "fresh" {
		t.Errorf("the waiting request got %q, want the new instance's answer", body)
	}
	if n := rt.HeldFor("fn"); n != 0 {
		t.Errorf("still held: %d", n)
	}
}

// TestLimitWaiterKeepsItsPreview: a blue/green preview request that
// waits for a slot on the preview's only instance is served by the
// preview revision when the slot frees, not by the released one (the
// preview header that chose its route is gone from the request by then).
func TestLimitWaiterKeepsItsPreview(t *testing.T) {
	release := make(chan struct{})
	green := backendServer(t, "green", func(w http.ResponseWriter, r *http.Request) {
		<-release
		fmt.Fprint(w, "green")
	})
	green.Revision = 2
	blue := backendServer(t, "blue", nil)
	blue.Revision = 1
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "fn", MaxConcurrency: 1, Weights: map[int]int{1: 100},
		Preview: &Preview{Header: PreviewHeader, Key: "k", Revision: 2}, Backends: []Backend{blue, green}}})
	previewGet := func() string {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set(PreviewHeader, "k")
		rt.ServeHTTP(w, req)
		return w.Body.String()
	}
	first, second := make(chan string, 1), make(chan string, 1)
	go func() { first <- previewGet() }()
	for rt.InFlight("green") == 0 {
		time.Sleep(time.Millisecond)
	}
	go func() { second <- previewGet() }()
	for rt.Queued("fn") == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for i, ch := range []chan string{first, second} {
		if body := <-ch; body != "green" {
			t.Errorf("preview request %d got %q, want the preview revision's answer", i+1, body)
		}
	}
}

// TestLimitSlotReachesAWaiterThatCanTakeIt: requests pinned to two
// revisions wait for each one's only instance, the one for revision 1
// first in line. When revision 2's instance frees its slot, the request
// for revision 2 is served at once: the wake that reached the one for
// revision 1, which cannot take that slot, is passed on to it.
func TestLimitSlotReachesAWaiterThatCanTakeIt(t *testing.T) {
	releaseA, releaseB := make(chan struct{}), make(chan struct{})
	a := backendServer(t, "a", func(w http.ResponseWriter, r *http.Request) {
		<-releaseA
		fmt.Fprint(w, "a")
	})
	a.Revision = 1
	b := backendServer(t, "b", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Hold") != "" {
			<-releaseB
		}
		fmt.Fprint(w, "b")
	})
	b.Revision = 2
	defer close(releaseA)
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "fn", MaxConcurrency: 1, Timeout: 5 * time.Second, Weights: map[int]int{1: 50, 2: 50},
		Pin: &Pin{Header: "X-Rev", Revisions: map[string]int{"1": 1, "2": 2}}, Backends: []Backend{a, b}}})
	send := func(rev string, hold bool) chan string {
		got := make(chan string, 1)
		go func() {
			w := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("X-Rev", rev)
			if hold {
				req.Header.Set("X-Hold", "1")
			}
			rt.ServeHTTP(w, req)
			got <- fmt.Sprint(w.Code, " ", w.Body.String())
		}()
		return got
	}
	send("1", false)
	send("2", true)
	for rt.InFlight("a") == 0 || rt.InFlight("b") == 0 {
		time.Sleep(time.Millisecond)
	}
	send("1", false)
	for rt.Queued("fn") < 1 {
		time.Sleep(time.Millisecond)
	}
	second := send("2", false)
	for rt.Queued("fn") < 2 {
		time.Sleep(time.Millisecond)
	}
	close(releaseB)
	if got := <-second; got != "200 b" {
		t.Errorf("the request for revision 2 got %q, want 200 b (504: it waited out its route's timeout by an idle instance)", got)
	}
}

// TestLimitQueueBounds: a request waits at most the route's timeout for
// a slot (then a 504), and past Config.MaxQueued waiting requests the
// next gets a 503 at once. Nothing waits after.
func TestLimitQueueBounds(t *testing.T) {
	release := make(chan struct{})
	slow := backendServer(t, "slow", func(w http.ResponseWriter, r *http.Request) { <-release })
	rt := New(Config{MaxQueued: 1})
	defer rt.Close()
	rt.Update([]Route{
		{Service: "short", Path: "/short", MaxConcurrency: 1, Timeout: 50 * time.Millisecond, Backends: []Backend{slow}},
		{Service: "long", Path: "/long", MaxConcurrency: 1, Timeout: time.Hour, Backends: []Backend{slow}},
	})
	go func() { _, _ = getQuiet(rt, "/long") }() // takes the slot
	for rt.InFlight("slow") == 0 {
		time.Sleep(time.Millisecond)
	}
	if code, body := getQuiet(rt, "/short"); code != http.StatusGatewayTimeout {
		t.Errorf("waiting past the route's timeout: %d %q, want 504", code, body)
	}
	go func() { _, _ = getQuiet(rt, "/long") }() // waits: the line is full
	for rt.Queued("long") == 0 {
		time.Sleep(time.Millisecond)
	}
	if code, body := getQuiet(rt, "/long"); code != http.StatusServiceUnavailable || rt.Queued("long") != 1 {
		t.Errorf("over MaxQueued: %d %q with %d queued, want a 503 while one waits", code, body, rt.Queued("long"))
	}
	close(release)
	for rt.Queued("long") != 0 || rt.InFlight("slow") != 0 {
		time.Sleep(time.Millisecond)
	}
}

// getQuiet is get without a *testing.T, for goroutines.
func getQuiet(h http.Handler, path string) (int, string) {
	front := httptest.NewServer(h)
	defer front.Close()
	resp, err := http.Get(front.URL + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}
