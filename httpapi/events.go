package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
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
