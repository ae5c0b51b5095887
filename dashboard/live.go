package dashboard

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// coalesce is how long a live view waits after a store write before it
// redraws, so that a burst of writes (a controller's pass, an apply) is
// drawn once.
const coalesce = 150 * time.Millisecond

// keepAlive is how long a quiet live stream waits before a comment line.
const keepAlive = 15 * time.Second

// live streams a service's live fragment as server-sent events: the
// whole fragment at once when it changed. It redraws when the
// environment's store commits a write (Config.Changes), and every
// Config.Poll for what changes without one (recorded traffic). A
// reconnecting EventSource gets the current fragment first, so a lost
// stream catches up by construction (there is nothing to replay, and
// Last-Event-ID needs no meaning). A stream whose session is gone (a
// restarted server keeps none) is refused with 401, and the page says
// how to log in again.
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
	last, n, sent := "", 0, time.Now()
	for {
		changed := d.cfg.Changes(env) // before reading: a write after it wakes us
		if frag := d.liveFragment(r, se, env, name); frag != last {
			n++
			writeEvent(w, n, frag)
			last, sent = frag, time.Now()
		} else if time.Since(sent) >= keepAlive {
			fmt.Fprint(w, ": keep-alive\n\n")
			sent = time.Now()
		}
		flusher.Flush()
		if !d.wait(r, changed) {
			return
		}
		if se, ok = d.sessions.get(id); !ok {
			fmt.Fprint(w, "event: expired\ndata: log in again\n\n")
			return
		}
	}
}

// wait returns when the store changed (after coalesce) or Poll passed;
// false when the request ended.
func (d *Dashboard) wait(r *http.Request, changed <-chan struct{}) bool {
	poll := time.NewTimer(d.cfg.Poll)
	defer poll.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-poll.C:
		return true
	case <-changed:
	}
	select {
	case <-r.Context().Done():
		return false
	case <-time.After(coalesce):
		return true
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
