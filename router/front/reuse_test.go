package front

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
)

// TestNextRequestStartsAfresh: a connection's requests share one request
// memory, and nothing of a request reaches the next one on the
// connection: not its header fields, query or host, nor its context,
// which the first watched (a background read) and which ended with it.
func TestNextRequestStartsAfresh(t *testing.T) {
	var mu sync.Mutex
	var kept []context.Context // what outlives a handler, as a dial http.Transport finishes
	_, addr := serving(t, &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		mu.Lock()
		kept = append(kept, ctx)
		mu.Unlock()
		if r.URL.Path == "/watch" {
			_ = ctx.Done() // starts the background read, ended with the request
		}
		fmt.Fprintf(w, "err=%v host=%s x-a=%q query=%q close=%v", ctx.Err(), r.Host, r.Header.Values("X-A"), r.URL.RawQuery, r.Close)
	})})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for _, tc := range []struct{ req, want string }{
		{"GET /watch?q=1 HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nX-A: 2\r\n\r\n", `err=<nil> host=a x-a=["1" "2"] query="q=1" close=false`},
		{"GET /next HTTP/1.1\r\nHost: b\r\n\r\n", `err=<nil> host=b x-a=[] query="" close=false`},
		{"GET /watch HTTP/1.1\r\nHost: c\r\nX-A: 3\r\n\r\n", `err=<nil> host=c x-a=["3"] query="" close=false`},
		{"GET /last?r=2 HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n", `err=<nil> host=d x-a=[] query="r=2" close=true`},
	} {
		if _, err := io.WriteString(c, tc.req); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.req, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%q: %v", tc.req, err)
		}
		if string(body) != tc.want {
			t.Errorf("%q: the handler saw %s, want %s", tc.req, body, tc.want)
		}
	}
	// A context kept past its request stays that request's: ended, with
	// its values, whatever the connection serves next.
	mu.Lock()
	defer mu.Unlock()
	for i, ctx := range kept[:len(kept)-1] {
		if ctx.Err() != context.Canceled || ctx == kept[i+1] {
			t.Errorf("request %d's context after the next request: err %v, the next's own: %v", i+1, ctx.Err(), ctx == kept[i+1])
		}
		if ctx.Value(http.ServerContextKey) == nil {
			t.Errorf("request %d's context lost its values after the next request", i+1)
		}
		select {
		case <-ctx.Done():
		default:
			t.Errorf("request %d's context is not done after the next request", i+1)
		}
	}
}
