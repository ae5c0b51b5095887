package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// followPoll is how often a followed log is read again.
const followPoll = 500 * time.Millisecond

func (h *handler) logs(w http.ResponseWriter, r *http.Request) {
	n, err := queryInt(r, "lines", 100)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	name := r.PathValue("name")
	ids, err := h.instanceIDs(r, name)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	seen := map[string][]string{}
	for _, id := range ids {
		seen[id] = h.writeNew(w, r, id, nil, int(n))
	}
	if r.URL.Query().Get("follow") != "true" {
		return
	}
	h.followLogs(w, r, name, seen)
}

func (h *handler) followLogs(w http.ResponseWriter, r *http.Request, name string, seen map[string][]string) {
	flusher, _ := w.(http.Flusher)
	for {
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(followPoll):
		}
		ids, err := h.instanceIDs(r, name)
		if err != nil {
			return
		}
		for _, id := range ids {
			seen[id] = h.writeNew(w, r, id, seen[id], 200)
		}
	}
}

// writeNew writes the lines of an instance's log tail that follow the
// previously seen tail, and returns the new tail.
func (h *handler) writeNew(w http.ResponseWriter, r *http.Request, id string, prev []string, n int) []string {
	cur, err := h.in(r).Logs.Logs(r.Context(), id, n)
	if err != nil {
		return prev
	}
	for _, line := range cur[overlap(prev, cur):] {
		fmt.Fprintf(w, "%s | %s\n", id, line)
	}
	return cur
}

// overlap returns how many leading lines of cur were already in prev: the
// longest suffix of prev that is a prefix of cur.
func overlap(prev, cur []string) int {
	for j := range prev {
		k := len(prev) - j
		if k <= len(cur) && slices.Equal(prev[j:], cur[:k]) {
			return k
		}
	}
	return 0
}

func (h *handler) instanceIDs(r *http.Request, service string) ([]string, error) {
	var ids []string
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		ins, err := tx.ListInstances(service)
		if err != nil {
			return err
		}
		if len(ins) == 0 {
			if _, err := getService(tx, service); err != nil {
				return err
			}
		}
		for _, in := range ins {
			ids = append(ids, in.ID)
		}
		if svc, err := tx.GetService(service); err == nil {
			for _, run := range svc.Jobs { // jobs' output is the service's too
				if run.Instance != "" {
					ids = append(ids, run.Instance)
				}
			}
		}
		return nil
	})
	return ids, err
}
