package dashboard

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// live streams a service's live fragment as server-sent events: the
// whole fragment at once when it changes. A reconnecting EventSource
// gets the current fragment first, so a lost stream catches up by
// construction (there is nothing to replay).
func (d *Dashboard) live(w http.ResponseWriter, r *http.Request) {
	se, id, ok := d.sessions.fromRequest(r)
	flusher, canFlush := w.(http.Flusher)
	if !ok || !canFlush {
		http.Error(w, "log in first", http.StatusUnauthorized)
		return
	}
	if !d.allow(w, se) {
		return
	}
	env, name := r.URL.Query().Get("env"), r.PathValue("name")
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	fmt.Fprint(w, "retry: 2000\n\n")
	flusher.Flush()
	last, n, quiet := "", 0, time.Duration(0)
	for {
		frag := d.liveFragment(r, se, env, name)
		if frag != last {
			n++
			writeEvent(w, n, frag)
			last, quiet = frag, 0
		} else if quiet >= 15*time.Second {
			fmt.Fprint(w, ": keep-alive\n\n")
			quiet = 0
		}
		flusher.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(d.cfg.Poll):
			quiet += d.cfg.Poll
		}
		if se, ok = d.sessions.get(id); !ok {
			fmt.Fprint(w, "event: expired\ndata: log in again\n\n")
			return
		}
	}
}

// liveFragment renders the live part of a service's page, or what went
// wrong reading it.
func (d *Dashboard) liveFragment(r *http.Request, se session, env, name string) string {
	var b strings.Builder
	data, err := d.rolloutData(r.Context(), se, env, name)
	if err != nil {
		_, v := errorView(err)
		_ = d.pages["error"].ExecuteTemplate(&b, "error-body", v.Data)
		return b.String()
	}
	if err := d.pages["rollout"].ExecuteTemplate(&b, "rollout-live", pageData{User: se.user, Env: env, Data: data, Now: d.cfg.Clock.Now()}); err != nil {
		return "the live view could not be drawn: " + err.Error()
	}
	return b.String()
}

// writeEvent writes one SSE event whose data is frag, line by line.
func writeEvent(w http.ResponseWriter, id int, frag string) {
	fmt.Fprintf(w, "id: %d\nevent: fragment\n", id)
	for _, line := range strings.Split(frag, "\n") {
		fmt.Fprintf(w, "data: %s\n", line)
	}
	fmt.Fprint(w, "\n")
}
