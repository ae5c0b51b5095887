package feed

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags"
)

// server serves definitions whose canary flag is on only for revision
// 7 of order, and an event stream that announces each new revision.
type server struct {
	rev     atomic.Int64
	changed chan struct{}
	auth    atomic.Value // last Authorization header seen
	// hangUp ends each event stream as soon as it is open.
	hangUp bool
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.auth.Store(r.Header.Get("Authorization"))
	switch r.URL.Path {
	case pathDefinitions:
		rev := s.rev.Load()
		if r.Header.Get("If-None-Match") == fmt.Sprintf(`"r%d"`, rev) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `{"revision": %d, "flags": {"canary-only": {"class": "release", "type": "boolean", "default": "off",
			"rules": [{"if": "ctx.service == \"order\" && ctx.revision == \"7\"", "serve": "on"}]},
			"payments": {"class": "operational", "type": "boolean", "default": "on"}},
			"overrides": {"canary-only": {"killed": %t}, "payments": {"killed": %t}}}`, rev, rev > 1, rev > 1)
	case pathEvents:
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		if s.hangUp {
			return
		}
		for {
			select {
			case <-r.Context().Done():
				return
			case <-s.changed:
				fmt.Fprint(w, "data: {}\n\n")
				w.(http.Flusher).Flush()
			}
		}
	default:
		http.NotFound(w, r)
	}
}

func start(t *testing.T, instance map[string]any) (*Feed, *server) {
	t.Helper()
	s := &server{changed: make(chan struct{})}
	s.rev.Store(1)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	f, err := New(Config{URL: srv.URL, Key: "k", Instance: instance})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go f.Run(ctx)
	select {
	case <-f.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("not ready")
	}
	return f, s
}

func TestFeedTargetsTheInstanceItRunsIn(t *testing.T) {
	canary, srv := start(t, map[string]any{"service": "order", "revision": "7"})
	if got := canary.Evaluate("canary-only", flags.Context{}).Value; got != true {
		t.Fatalf("in the canary revision: %v, want on", got)
	}
	if srv.auth.Load() != "Bearer k" {
		t.Fatalf("the key was not sent: %v", srv.auth.Load())
	}
	stable, _ := start(t, map[string]any{"service": "order", "revision": "6"})
	if got := stable.Evaluate("canary-only", flags.Context{}).Value; got != false {
		t.Fatalf("in the stable revision: %v, want off", got)
	}
	// A caller's own attribute wins over the instance's.
	if got := stable.Evaluate("canary-only", flags.Context{Attributes: map[string]any{"revision": "7"}}).Value; got != true {
		t.Fatalf("with revision 7 in the context: %v", got)
	}
}

func TestFeedFollowsChanges(t *testing.T) {
	f, srv := start(t, map[string]any{"service": "order", "revision": "7"})
	if r := f.Evaluate("payments", flags.Context{}); r.Value != true {
		t.Fatalf("payments before the kill: %+v, want on", r)
	}
	changed := f.Changed()
	srv.rev.Store(2) // the flags are killed in revision 2
	srv.changed <- struct{}{}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("the change did not arrive")
	}
	if r := f.Evaluate("canary-only", flags.Context{}); f.Revision() != 2 || r.Reason != flags.ReasonDisabled {
		t.Fatalf("revision %d, %+v", f.Revision(), r)
	}
	// A kill switch whose default is on serves its off variant, false.
	if r := f.Evaluate("payments", flags.Context{}); r.Value != false || r.Variant != "off" || r.Reason != flags.ReasonDisabled {
		t.Fatalf("killed payments: %+v, want off (false), DISABLED", r)
	}
}

func TestFeedRefusesABadURL(t *testing.T) {
	if _, err := New(Config{URL: "127.0.0.1:7400"}); err == nil {
		t.Fatal("a URL without a scheme was accepted")
	}
}

// Each outage is retried from the first backoff once the feed followed
// the server again; while the server stays away, the wait doubles.
func TestFeedBackoffStartsOverOnceItFollowsAgain(t *testing.T) {
	s := &server{changed: make(chan struct{}), hangUp: true}
	s.rev.Store(1)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	f, err := New(Config{URL: srv.URL, Instance: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	f.wait = func(_ context.Context, d time.Duration) bool {
		waits = append(waits, d)
		if len(waits) == 4 {
			srv.Close() // the server goes away for good
		}
		return len(waits) < 7
	}
	if err := f.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms := time.Millisecond
	want := []time.Duration{500 * ms, 500 * ms, 500 * ms, 500 * ms, time.Second, 2 * time.Second, 4 * time.Second}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
}
