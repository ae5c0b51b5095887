package httpapi

import (
	"fmt"
	"net/http"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// restart asks for a rolling restart of a service's current revision.
func (h *handler) restart(w http.ResponseWriter, r *http.Request) {
	h.serviceVerb(w, r, func(tx store.Tx, name string) error {
		return stack.Restart(tx, name, h.cfg.Clock.Now())
	})
}

// scale sets a service's instances at run time.
func (h *handler) scale(w http.ResponseWriter, r *http.Request) {
	var req api.ScaleRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.serviceVerb(w, r, func(tx store.Tx, name string) error {
		return stack.Scale(tx, name, req.Instances, h.cfg.Limits.perService(), h.cfg.Clock.Now())
	})
}

// serviceVerb runs do on the named service in one transaction, queues
// the service and answers its view.
func (h *handler) serviceVerb(w http.ResponseWriter, r *http.Request, do func(tx store.Tx, name string) error) {
	name := r.PathValue("name")
	var out api.Service
	err := h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
		if err := do(tx, name); err != nil {
			return err
		}
		svc, err := tx.GetService(name)
		if err != nil {
			return fmt.Errorf("read back %s: %w", name, err)
		}
		out, err = serviceView(tx, svc)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.in(r).Enqueue(queue.ServiceKey(name))
	writeJSON(w, http.StatusOK, out)
}
