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

// h2cBackend is a real HTTP/2 server without TLS that speaks nothing
// else (an HTTP/1.1 request gets no answer it could read), counting its
// connections.
func h2cBackend(t *testing.T, id string, rev int, h http.HandlerFunc) (Backend, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv.Config.Protocols = &p
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return Backend{ID: id, Revision: rev, Addr: srv.Listener.Addr().String(), H2C: true}, &conns
}

// TestH2CInstances: requests of every kind reach an instance that speaks
// only h2c over HTTP/2, through the same router code: a GET (the fast
// path's kind), a POST with a body, trailers, a streamed answer, the
// forwarding headers; many at once share a connection.
func TestH2CInstances(t *testing.T) {
	be, conns := h2cBackend(t, "h2", 1, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/trailers":
			w.Header().Set("Trailer", "X-Sum")
			io.WriteString(w, "body")
			w.Header().Set("X-Sum", "42")
		case "/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			for i := range 3 {
				fmt.Fprintf(w, "data: %d\n\n", i)
				w.(http.Flusher).Flush()
			}
		default:
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s %s body=%q xff=%s fwd=%s", r.Proto, r.Method, r.URL.Path, body,
				r.Header.Get("X-Forwarded-For"), r.Header.Get("Forwarded"))
		}
	})
	obs := &samples{}
	rt := New(Config{Observer: obs})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{be}}})
	srv := httptest.NewServer(rt)
	defer srv.Close()

	check := func(method, path, body, want string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if body == "" {
			req.Body = nil
		}
		req.Host = "shop.localhost"
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(got), want) {
			t.Fatalf("%s %s: %d %q, want %q", method, path, resp.StatusCode, got, want)
		}
		if path == "/trailers" && resp.Trailer.Get("X-Sum") != "42" {
			t.Fatalf("trailers %v, want X-Sum 42", resp.Trailer)
		}
	}
	check("GET", "/a", "", `HTTP/2.0 GET /a body="" xff=127.0.0.1 fwd=for=127.0.0.1;host=shop.localhost;proto=http`)
	check("POST", "/b", "payload", `HTTP/2.0 POST /b body="payload"`)
	check("GET", "/trailers", "", "body")
	check("GET", "/stream", "", "data: 0\n\ndata: 1\n\ndata: 2\n\n")

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { check("GET", "/many", "", "HTTP/2.0 GET /many") })
	}
	wg.Wait()
	if n := conns.Load(); n > 2 {
		t.Fatalf("%d connections to the instance; HTTP/2 multiplexes requests over one", n)
	}
	obs.mu.Lock()
	n, errs := len(obs.got), 0
	for _, x := range obs.got {
		if x.Service != "s" || x.Instance != "h2" || x.Status != 200 {
			errs++
		}
	}
	obs.mu.Unlock()
	if n != 54 || errs != 0 {
		t.Fatalf("the observer saw %d requests (%d not a 200 of s/h2), want 54", n, errs)
	}
	if n := rt.InFlight("h2"); n != 0 {
		t.Fatalf("%d requests still in flight", n)
	}
}

// TestH2CRolloutMixesProtocols: a route whose revision 1 speaks
// HTTP/1.1 and revision 2 h2c (a service moving to h2c) splits its
// traffic by weight, each instance reached in its own protocol.
func TestH2CRolloutMixesProtocols(t *testing.T) {
	h1 := backendServer(t, "h1", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "1 "+r.Proto) })
	h1.Revision = 1
	h2, _ := h2cBackend(t, "h2", 2, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "2 "+r.Proto) })
	rt := New(Config{})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{h1, h2}, Weights: map[int]int{1: 50, 2: 50}}})
	seen := map[string]int{}
	for range 200 {
		_, body := get(t, rt, "x", "/")
		seen[body]++
	}
	if len(seen) != 2 || seen["1 HTTP/1.1"] < 50 || seen["2 HTTP/2.0"] < 50 {
		t.Fatalf("answers %v; want each revision about half, each in its protocol", seen)
	}
}

// TestH2CMirrorCopies: a parallel run's candidate that speaks h2c gets
// its copies over HTTP/2.
func TestH2CMirrorCopies(t *testing.T) {
	stable := backendServer(t, "stable", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	stable.Revision = 1
	got := make(chan string, 1)
	cand, _ := h2cBackend(t, "cand", 2, func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.Proto:
		default:
		}
		io.WriteString(w, "ok")
	})
	log := newMirrorLog()
	rt := New(Config{Mirrors: log})
	defer rt.Close()
	rt.Update([]Route{{Service: "s", Backends: []Backend{stable, cand}, Weights: map[int]int{1: 100},
		Mirror: &Mirror{Revision: 2, Percent: 100}}})
	if code, body := get(t, rt, "x", "/"); code != 200 || body != "ok" {
		t.Fatalf("%d %q", code, body)
	}
	select {
	case proto := <-got:
		if proto != "HTTP/2.0" {
			t.Fatalf("the candidate got its copy over %s", proto)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the h2c candidate got no copy")
	}
	if x := log.next(t); x.Candidate.Status != 200 || string(x.Candidate.Body) != "ok" {
		t.Fatalf("the candidate's answer as compared: %+v", x.Candidate)
	}
}
