package httpapi

import (
	"context"
	"net/http"

	"github.com/slipway-dev/slipway/api"
)

// TokenAdmin makes, lists and revokes the API's tokens (the server keeps
// them in the default environment's store).
type TokenAdmin interface {
	// Create makes a token named name with role, recorded as made by by,
	// and returns it with its value (shown this once). A name in use is
	// ErrConflict; a bad name or role ErrInvalid.
	Create(ctx context.Context, name string, role Role, by string) (api.TokenCreated, error)
	// List returns every token, without values.
	List(ctx context.Context) ([]api.Token, error)
	// Revoke deletes a token; ErrNotFound if there is none.
	Revoke(ctx context.Context, name string) error
}

func (h *handler) tokenRoutes() {
	h.mux.HandleFunc("GET /v1/tokens", h.tokenList)
	h.mux.HandleFunc("POST /v1/tokens", h.tokenCreate)
	h.mux.HandleFunc("DELETE /v1/tokens/{name}", h.tokenRevoke)
}

// tokenAdmin returns the server's token admin, or an error saying it has
// none.
func (h *handler) tokenAdmin() (TokenAdmin, error) {
	if h.cfg.TokenAdmin == nil {
		return nil, badRequest{"this server keeps no named tokens"}
	}
	return h.cfg.TokenAdmin, nil
}

// tokenList serves GET /v1/tokens.
func (h *handler) tokenList(w http.ResponseWriter, r *http.Request) {
	ta, err := h.tokenAdmin()
	var out []api.Token
	if err == nil {
		out, err = ta.List(r.Context())
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// tokenCreate serves POST /v1/tokens.
func (h *handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	var req api.TokenRequest
	ta, err := h.tokenAdmin()
	if err == nil {
		err = decodeJSON(r, &req)
	}
	var role Role
	if err == nil {
		if role, err = ParseRole(req.Role); err != nil {
			err = badRequest{err.Error()}
		}
	}
	var out api.TokenCreated
	if err == nil {
		out, err = ta.Create(r.Context(), req.Name, role, who(r))
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// tokenRevoke serves DELETE /v1/tokens/{name}.
func (h *handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	ta, err := h.tokenAdmin()
	if err == nil {
		err = ta.Revoke(r.Context(), r.PathValue("name"))
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
