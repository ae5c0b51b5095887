package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

func TestEventsQuery(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("after") != "7" || q.Get("service") != "invoice" || q.Get("limit") != "10" {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		writeJSON(w, 200, []api.Event{{Seq: 8, Type: "service.rollout.started"}})
	})
	evs, err := c.Events(context.Background(), 7, "invoice", 10)
	if err != nil || len(evs) != 1 || evs[0].Seq != 8 {
		t.Fatalf("events = %+v, %v", evs, err)
	}
}

// stream is an event-stream with keep-alive comments, other fields, CRLF
// line ends, an event whose JSON spans two data lines, and a cut-off
// event at the end that must not be delivered.
const stream = ": keep-alive\n\n" +
	"id: 1\nevent: event\ndata: {\"seq\":1,\"type\":\"a\",\"message\":\"one\"}\n\n" +
	": ping\n" +
	"data: {\"seq\":2,\"type\":\"b\",\r\ndata:\"message\":\"two\"}\r\n\r\n" +
	"data:{\"seq\":3,\"type\":\"c\",\"message\":\"three\"}\n\n" +
	"data: {\"seq\":4"

func TestFollowEvents(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("follow") != "true" || r.URL.Query().Has("after") {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, stream)
	})
	var got []api.Event
	err := c.FollowEvents(context.Background(), 0, "", func(ev api.Event) error {
		got = append(got, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a/one", "b/two", "c/three"}
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %d", len(got), got, len(want))
	}
	for i, ev := range got {
		if ev.Type+"/"+ev.Message != want[i] || ev.Seq != int64(i+1) {
			t.Errorf("event %d = %+v, want %s", i, ev, want[i])
		}
	}
}

func TestFollowEventsStopsOnCallbackError(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, stream) })
	stop := errors.New("stop")
	n := 0
	err := c.FollowEvents(context.Background(), 0, "", func(api.Event) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err = %v after %d events", err, n)
	}
}

func TestFollowEventsUntilCanceled(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "data: {\"seq\":1,\"type\":\"a\",\"message\":\"x\"}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	err := c.FollowEvents(ctx, 0, "", func(api.Event) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
