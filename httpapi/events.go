package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/store"
)

// keepAlive is how often an idle event stream sends a comment line.
const keepAlive = 15 * time.Second

func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	after, err := queryInt(r, "after", 0)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	limit, err := queryInt(r, "limit", 1000)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	service := r.URL.Query().Get("service")
	switch order := r.URL.Query().Get("order"); order {
	case "", "oldest":
	case "newest":
		h.newestEvents(w, r, service, int(limit))
		return
	default:
		writeError(w, h.cfg.Logger, badRequest{"order: " + strconv.Quote(order) + " is neither oldest (the default: after=SEQ, oldest first) nor newest (before=SEQ, newest first)"})
		return
	}
	if r.URL.Query().Get("follow") == "true" {
		h.followEvents(w, r, after, service)
		return
	}
	evs, err := h.listEvents(r, after, service, int(limit))
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, evs)
}

func (h *handler) listEvents(r *http.Request, after int64, service string, limit int) ([]api.Event, error) {
	out := []api.Event{}
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		evs, err := tx.ListEvents(after, service, limit)
		for _, e := range evs {
			out = append(out, toEvent(e))
		}
		return err
	})
	return out, err
}

// newestEvents serves ?order=newest[&before=SEQ]: the newest events
// (of service), newest first, so that "the last event of X" or "the
// latest page of the log" is one index search however long the log.
func (h *handler) newestEvents(w http.ResponseWriter, r *http.Request, service string, limit int) {
	q := r.URL.Query()
	if q.Has("after") || q.Get("follow") == "true" {
		writeError(w, h.cfg.Logger, badRequest{"order=newest pages with before=SEQ; after and follow go with the default order (oldest first)"})
		return
	}
	before, err := queryInt(r, "before", 0)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	out := []api.Event{}
	err = h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		evs, err := tx.ListEventsBefore(before, service, limit)
		for _, e := range evs {
			out = append(out, toEvent(e))
		}
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// followEvents streams events as Server-Sent Events, waking on every
// committed store write.
func (h *handler) followEvents(w http.ResponseWriter, r *http.Request, after int64, service string) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, h.cfg.Logger, fmt.Errorf("streaming unsupported"))
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	for {
		changed := h.in(r).Changes()
		evs, err := h.listEvents(r, after, service, 500)
		if err != nil {
			return
		}
		for _, e := range evs {
			data, _ := json.Marshal(e)
			fmt.Fprintf(w, "id: %d\nevent: event\ndata: %s\n\n", e.Seq, data)
			after = e.Seq
		}
		if len(evs) == 500 {
			continue
		}
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		case <-time.After(keepAlive):
			fmt.Fprint(w, ": keep-alive\n\n")
		}
	}
}
