package accesslog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router"
)

// serve is a router with one route to a backend that echoes the
// traceparent it got, behind l's Handler.
func serve(t *testing.T, l *Log) *httptest.Server {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.Header.Get("Traceparent"))
	}))
	t.Cleanup(backend.Close)
	rt := router.New(router.Config{RecordBackends: true})
	t.Cleanup(rt.Close)
	rt.Update([]router.Route{{Service: "shop", Host: "shop.example", Path: "/",
		Backends: []router.Backend{{ID: "shop-7", Revision: 3, Addr: backend.Listener.Addr().String()}}}})
	front := httptest.NewServer(l.Handler(rt))
	t.Cleanup(front.Close)
	return front
}

func get(t *testing.T, url, traceparent string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Host = "shop.example"
	if traceparent != "" {
		req.Header.Set("Traceparent", traceparent)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestAccessLog: each request is one line naming the instance that
// answered; a valid traceparent reaches the backend as sent, a missing
// or invalid one is replaced by a new trace.
func TestAccessLog(t *testing.T) {
	file := filepath.Join(t.TempDir(), "access.log")
	l := New(Config{File: file})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	srv := serve(t, l)
	const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	if got := get(t, srv.URL+"/a?x=1", valid); got != valid {
		t.Fatalf("a valid traceparent became %q", got)
	}
	for _, bad := range []string{"", "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "garbage"} {
		got := get(t, srv.URL+"/b", bad)
		if !validTraceparent(got) || got == bad {
			t.Fatalf("traceparent %q became %q, want a new valid one", bad, got)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines:\n%s", len(lines), data)
	}
	var e Entry
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatal(err)
	}
	if e.Host != "shop.example" || e.Path != "/a" || e.Status != 200 || e.Revision != 3 || e.Instance != "shop-7" ||
		e.Bytes != int64(len(valid)) || e.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || e.Method != "GET" {
		t.Fatalf("line: %+v", e)
	}
}

// TestAccessLogRotates: past MaxBytes the file moves to .1 (and .1 to
// .2), keeping Keep files.
func TestAccessLogRotates(t *testing.T) {
	file := filepath.Join(t.TempDir(), "access.log")
	l := New(Config{File: file, MaxBytes: 300, Keep: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	srv := serve(t, l)
	for range 12 {
		get(t, srv.URL+"/", "")
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Written() < 12 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{file, file + ".1", file + ".2"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(file + ".3"); err == nil {
		t.Fatal("more rotated files than Keep")
	}
}

// TestAccessLogDrops: with the writer behind (not running), lines past
// the buffer are dropped and counted; requests are answered anyway.
func TestAccessLogDrops(t *testing.T) {
	l := New(Config{File: filepath.Join(t.TempDir(), "access.log"), Buffer: 2})
	srv := serve(t, l)
	for range 5 {
		if got := get(t, srv.URL+"/", ""); !validTraceparent(got) {
			t.Fatalf("answer %q", got)
		}
	}
	if l.Dropped() != 3 {
		t.Fatalf("dropped %d, want 3", l.Dropped())
	}
}

func TestValidTraceparent(t *testing.T) {
	for tp, want := range map[string]bool{
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01":        true,
		"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra":  false, // version 00 has no more fields
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future": true,
		"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01":        false,
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01":        false,
		"00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01":        false,
	} {
		if got := validTraceparent(tp); got != want {
			t.Errorf("validTraceparent(%q) = %v, want %v", tp, got, want)
		}
	}
}
