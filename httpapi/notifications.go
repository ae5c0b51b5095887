package httpapi

import (
	"net/http"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/notify"
	"github.com/slipway-dev/slipway/spec"
)

// notifications answers each notification destination's delivery in
// the request's environment.
func (h *handler) notifications(w http.ResponseWriter, r *http.Request) {
	e := h.in(r)
	env := notify.Log{Name: e.Name, Store: e.Store}
	var hub notify.Log
	if e.Name != spec.DefaultEnvironment {
		if hs, err := h.hub(); err == nil {
			hub = notify.Log{Name: spec.DefaultEnvironment, Store: hs}
		}
	}
	st, err := notify.ReadStatus(r.Context(), env, hub, h.cfg.Secrets)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	out := make([]api.NotificationStatus, len(st))
	for i, s := range st {
		out[i] = api.NotificationStatus{Name: s.Name, Kind: s.Kind, Target: s.Target, Log: s.Log, Cursor: s.Cursor, Lag: s.Lag,
			Delivered: s.Delivered, LastSuccess: s.LastSuccess, LastError: s.LastError, LastErrorAt: s.LastErrorAt,
			Failures: s.Failures, Broken: s.Broken}
	}
	writeJSON(w, http.StatusOK, out)
}
