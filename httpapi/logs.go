package httpapi

import (
	"cmp"
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
	logs := h.logReader(r)
	seen := map[string][]string{}
	if pods := h.in(r).Pods; pods != nil && len(ids) > 0 {
		// A platform's logs can all be out of reach (a cluster whose
		// kubelets the API server cannot reach): say so, not nothing.
		if seen, err = firstTails(r, pods, ids, int(n)); err != nil {
			writeError(w, h.cfg.Logger, err)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, id := range ids {
		seen[id] = h.writeNew(w, r, logs, id, seen[id], int(n))
	}
	if r.URL.Query().Get("follow") != "true" {
		return
	}
	h.followLogs(w, r, name, seen)
}

// logReader is where an environment's logs are read: its platform's
// own instances (pods), or the local platform's.
func (h *handler) logReader(r *http.Request) LogReader {
	if pods := h.in(r).Pods; pods != nil {
		return pods
	}
	return h.in(r).Logs
}

// firstTails checks that some instance's log can be read: the first
// error (ErrUnavailable: why) when none can. What was read is left for
// writeNew to write: it returns nothing as seen.
func firstTails(r *http.Request, pods Pods, ids []string, n int) (map[string][]string, error) {
	var first error
	for _, id := range ids {
		_, err := pods.Logs(r.Context(), id, n)
		if err == nil {
			return map[string][]string{}, nil
		}
		first = cmp.Or(first, err)
	}
	return nil, fmt.Errorf("%w: %w", ErrUnavailable, first)
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
			seen[id] = h.writeNew(w, r, h.logReader(r), id, seen[id], 200)
		}
	}
}

// writeNew writes the lines of an instance's log tail that follow the
// previously seen tail, and returns the new tail.
func (h *handler) writeNew(w http.ResponseWriter, r *http.Request, logs LogReader, id string, prev []string, n int) []string {
	cur, err := logs.Logs(r.Context(), id, n)
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
	if pods := h.in(r).Pods; pods != nil {
		return podIDs(r, pods, h.in(r).Store, service)
	}
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

// podIDs are the names of a service's pods, once the service is known.
func podIDs(r *http.Request, pods Pods, st store.Store, service string) ([]string, error) {
	err := st.View(r.Context(), func(tx store.Tx) error {
		_, err := getService(tx, service)
		return err
	})
	if err != nil {
		return nil, err
	}
	ins, err := pods.Instances(r.Context(), service)
	ids := make([]string, 0, len(ins))
	for _, in := range ins {
		ids = append(ids, in.ID)
	}
	return ids, err
}
