package ofrep_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

// sseItem is one block of an event stream, up to a blank line.
type sseItem struct {
	id, event, data, retry string
	comments               []string
}

// sseClient reads an event stream.
type sseClient struct {
	resp   *http.Response
	r      *bufio.Reader
	cancel context.CancelFunc
}

// openEvents connects to the event stream; the connection ends with the
// test (or after 10s, so that a broken test fails instead of hanging).
func openEvents(t *testing.T, base string, headers ...string) (*sseClient, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/ofrep/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(name, strings.TrimSpace(value))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	c := &sseClient{resp: resp, r: bufio.NewReader(resp.Body), cancel: cancel}
	t.Cleanup(c.Close)
	return c, resp.StatusCode
}

func (c *sseClient) Close() {
	c.cancel()
	c.resp.Body.Close()
}

// next reads the next block; io.EOF when the server ended the stream.
func (c *sseClient) next() (sseItem, error) {
	var it sseItem
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return it, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return it, nil
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			it.comments = append(it.comments, value)
		case "id":
			it.id = value
		case "event":
			it.event = value
		case "data":
			it.data = value
		case "retry":
			it.retry = value
		}
	}
}

func (c *sseClient) mustNext(t *testing.T) sseItem {
	t.Helper()
	it, err := c.next()
	if err != nil {
		t.Fatalf("event stream: %v", err)
	}
	return it
}

// nextEvent skips keep-alive comments.
func (c *sseClient) nextEvent(t *testing.T) sseItem {
	t.Helper()
	for {
		if it := c.mustNext(t); it.data != "" {
			return it
		}
	}
}

// checkRefetch checks an ADR-0008 refetchEvaluation event.
func checkRefetch(t *testing.T, it sseItem) {
	t.Helper()
	var data struct{ Type, Etag string }
	if err := json.Unmarshal([]byte(it.data), &data); err != nil {
		t.Fatalf("data %q: %v", it.data, err)
	}
	if it.event != "message" || data.Type != "refetchEvaluation" || data.Etag != `"`+it.id+`"` || it.id == "" {
		t.Errorf("event = %+v, data %+v; want event message, type refetchEvaluation, etag = quoted id", it, data)
	}
}

func TestEventsOnChange(t *testing.T) {
	ev := ofreptest.Fixture()
	srv, _ := start(t, ev, nil)
	c, status := openEvents(t, srv.URL)
	if status != 200 || c.resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", status, c.resp.Header.Get("Content-Type"))
	}
	if hello := c.mustNext(t); hello.retry != "2000" || len(hello.comments) != 1 || hello.data != "" {
		t.Errorf("first block = %+v, want retry and a comment, no event", hello)
	}
	ev.Set("bool-flag", ofreptest.Static(false, "off", flags.ReasonStatic))
	first := c.nextEvent(t)
	checkRefetch(t, first)

	ev.Touch()
	second := c.nextEvent(t)
	checkRefetch(t, second)
	if second.id == first.id {
		t.Errorf("two versions, one id %q", first.id)
	}
}

// Changes faster than the client reads are coalesced: the stream ends up
// naming the current version, with at most one event per change.
func TestEventsCoalesce(t *testing.T) {
	ev := ofreptest.Fixture()
	srv, _ := start(t, ev, nil)
	c, _ := openEvents(t, srv.URL)
	c.mustNext(t)
	const changes = 20
	for range changes {
		ev.Touch()
	}
	// A client that reconnects with a stale id is told at once: its event
	// names the current version.
	probe, _ := openEvents(t, srv.URL, "Last-Event-ID: stale")
	current := probe.nextEvent(t)
	checkRefetch(t, current)
	for n := 1; ; n++ {
		it := c.nextEvent(t)
		checkRefetch(t, it)
		if it.id == current.id {
			break
		}
		if n == changes {
			t.Fatalf("%d events and none names the current version %s", n, current.id)
		}
	}
}

func TestEventsLastEventID(t *testing.T) {
	ev := ofreptest.Fixture()
	srv, _ := start(t, ev, nil)
	stale, _ := openEvents(t, srv.URL, "Last-Event-ID: 0123")
	now := stale.nextEvent(t)
	checkRefetch(t, now)

	// Up to date: nothing to tell until the next change.
	current, _ := openEvents(t, srv.URL, "Last-Event-ID: "+now.id)
	if hello := current.mustNext(t); hello.data != "" {
		t.Fatalf("up-to-date client got an event at once: %+v", hello)
	}
	ev.Touch()
	if it := current.nextEvent(t); it.id == now.id {
		t.Errorf("event after a change names the old version")
	}
}

func TestEventsKeepAlive(t *testing.T) {
	srv, _ := start(t, ofreptest.Fixture(), func(c *ofrep.Config) { c.KeepAlive = time.Millisecond })
	c, _ := openEvents(t, srv.URL)
	c.mustNext(t)
	if it := c.mustNext(t); len(it.comments) != 1 || it.comments[0] != "keep-alive" || it.data != "" {
		t.Errorf("idle stream sent %+v, want a keep-alive comment", it)
	}
}

func TestEventsEnd(t *testing.T) {
	t.Run("max age", func(t *testing.T) {
		srv, _ := start(t, ofreptest.Fixture(), func(c *ofrep.Config) { c.StreamMaxAge = 10 * time.Millisecond })
		c, _ := openEvents(t, srv.URL)
		expectEnd(t, c)
	})
	t.Run("Close", func(t *testing.T) {
		srv, h := start(t, ofreptest.Fixture(), nil)
		c, _ := openEvents(t, srv.URL)
		c.mustNext(t)
		h.Close()
		expectEnd(t, c)
		// Evaluations go on after Close.
		if a := do(t, "POST", srv.URL+"/ofrep/v1/evaluate/flags/bool-flag", `{}`); a.status != 200 {
			t.Errorf("evaluation after Close: %d", a.status)
		}
	})
}

// expectEnd reads c to its end, which must come from the server.
func expectEnd(t *testing.T, c *sseClient) {
	t.Helper()
	for {
		_, err := c.next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("stream ended with %v, want the server to end it", err)
		}
	}
}

func TestEventsBounded(t *testing.T) {
	srv, _ := start(t, ofreptest.Fixture(), func(c *ofrep.Config) { c.MaxStreams = 2 })
	a, _ := openEvents(t, srv.URL)
	a.mustNext(t)
	b, _ := openEvents(t, srv.URL)
	b.mustNext(t)
	over, status := openEvents(t, srv.URL)
	if status != http.StatusServiceUnavailable || over.resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third stream: status %d, Retry-After %q; want 503 with Retry-After", status, over.resp.Header.Get("Retry-After"))
	}
	a.Close() // the server notices when its request context ends
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, status := openEvents(t, srv.URL)
		if status == http.StatusOK {
			c.mustNext(t)
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream never freed its slot")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
