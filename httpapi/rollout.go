package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// verb is one edit `slipway rollout VERB SERVICE` makes, in one
// transaction with its event; it returns the operation it started, if
// any (retry).
type verb func(tx store.Tx, name string, req api.RolloutRequest, now time.Time) (*store.Operation, error)

// edit adapts a verb that starts no operation.
func edit(fn func(tx store.Tx, name string, req api.RolloutRequest, now time.Time) error) verb {
	return func(tx store.Tx, name string, req api.RolloutRequest, now time.Time) (*store.Operation, error) {
		return nil, fn(tx, name, req, now)
	}
}

var rolloutVerbs = map[string]verb{
	"promote": edit(func(tx store.Tx, name string, req api.RolloutRequest, now time.Time) error {
		return stack.Promote(tx, name, req.Full, now)
	}),
	"pause": edit(func(tx store.Tx, name string, req api.RolloutRequest, now time.Time) error {
		return stack.Pause(tx, name, req.Reason, now)
	}),
	"resume": edit(func(tx store.Tx, name string, _ api.RolloutRequest, now time.Time) error {
		return stack.Resume(tx, name, now)
	}),
	"abort": edit(func(tx store.Tx, name string, req api.RolloutRequest, now time.Time) error {
		return stack.Abort(tx, name, req.Reason, now)
	}),
	"set-weight": edit(func(tx store.Tx, name string, req api.RolloutRequest, now time.Time) error {
		if req.Weight == nil {
			return store.Invalidf("set-weight needs a weight (0..100)")
		}
		return stack.SetWeight(tx, name, *req.Weight, now)
	}),
	"retry": func(tx store.Tx, name string, _ api.RolloutRequest, now time.Time) (*store.Operation, error) {
		return stack.Retry(tx, name, now)
	},
}

// rolloutVerb handles POST /v1/services/{name}/rollout/{verb} (and the
// older POST /v1/services/{name}/promote): it answers with the service
// as it stands after the edit.
func (h *handler) rolloutVerb(w http.ResponseWriter, r *http.Request) {
	name, v := r.PathValue("name"), r.PathValue("verb")
	if v == "" {
		v = "promote"
	}
	do, ok := rolloutVerbs[v]
	if !ok {
		writeError(w, h.cfg.Logger, store.NotFoundf("no rollout verb %q: promote, pause, resume, abort, retry or set-weight", v))
		return
	}
	var req api.RolloutRequest
	if err := decodeOptional(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	var out api.Service
	var op *store.Operation
	err := h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
		if err := checkSeen(tx, name, req); err != nil {
			return err
		}
		var err error
		if op, err = do(tx, name, req, h.cfg.Clock.Now()); err != nil {
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
	if op != nil {
		h.in(r).Enqueue(queue.OperationKey(op.ID))
	}
	writeJSON(w, http.StatusOK, out)
}
