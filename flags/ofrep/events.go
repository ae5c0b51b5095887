package ofrep

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// events serves GET /ofrep/v1/events: an ADR-0008 event each time the
// configuration changes, comments while idle, until the request ends,
// Close, or StreamMaxAge.
func (h *Handler) events(w http.ResponseWriter, r *http.Request, _ caller, _ string) {
	if h.open.Add(1) > int64(h.cfg.MaxStreams) {
		h.open.Add(-1)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many event streams", http.StatusServiceUnavailable)
		return
	}
	defer h.open.Add(-1)
	ev := h.cfg.Evaluator
	changed := ev.Changed() // before Version: a change in between is not missed
	tag := configTag(ev.Version())
	s := stream{w: w, rc: http.NewResponseController(w), timeout: h.cfg.WriteTimeout}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // proxies: do not hold events back
	w.WriteHeader(http.StatusOK)
	first := "retry: " + strconv.Itoa(retryMillis) + "\n: connected\n\n"
	if last := r.Header.Get("Last-Event-ID"); last != "" && last != tag {
		first += refetchEvent(tag)
	}
	if s.send(first) != nil {
		return
	}
	h.follow(r, &s, changed, tag)
}

// retryMillis is how long a client waits before reconnecting, once a
// stream ended (StreamMaxAge) or broke.
const retryMillis = 2000

// follow sends an event for each new configuration, and keep-alive
// comments, until the stream should end.
func (h *Handler) follow(r *http.Request, s *stream, changed <-chan struct{}, tag string) {
	ev := h.cfg.Evaluator
	keepAlive := time.NewTicker(h.cfg.KeepAlive)
	defer keepAlive.Stop()
	end := time.NewTimer(h.cfg.StreamMaxAge)
	defer end.Stop()
	for {
		var msg string
		select {
		case <-r.Context().Done():
			return
		case <-h.done:
			return
		case <-end.C:
			return
		case <-keepAlive.C:
			msg = ": keep-alive\n\n"
		case <-changed:
			changed = ev.Changed()
			now := configTag(ev.Version())
			if now == tag {
				continue // changed and changed back, or a spurious wake
			}
			tag, msg = now, refetchEvent(now)
		}
		if s.send(msg) != nil {
			return
		}
	}
}

// refetchEvent is ADR-0008's event: the envelope's event is "message" and
// the type is in the data. The tag is hex, so it needs no escaping.
func refetchEvent(tag string) string {
	return "id: " + tag + "\nevent: message\ndata: {\"type\":\"refetchEvaluation\",\"etag\":\"\\\"" + tag + "\\\"\"}\n\n"
}

// stream writes to one event-stream client.
type stream struct {
	w       io.Writer
	rc      *http.ResponseController
	timeout time.Duration
}

// send writes msg and flushes it; a client that does not read within the
// write timeout is dropped.
func (s *stream) send(msg string) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("event stream deadline: %w", err)
	}
	if _, err := io.WriteString(s.w, msg); err != nil {
		return fmt.Errorf("event stream write: %w", err)
	}
	if err := s.rc.Flush(); err != nil {
		return fmt.Errorf("event stream flush: %w", err)
	}
	return nil
}
