package httpapi

import (
	"errors"
	"net/http"

	"github.com/slipway-dev/slipway/artifact"
)

// maxArtifact bounds one upload.
const maxArtifact = 2 << 30

func (h *handler) hasArtifact(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Artifacts.Has(r.PathValue("digest")) {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusNotFound)
}

func (h *handler) putArtifact(w http.ResponseWriter, r *http.Request) {
	digest := r.PathValue("digest")
	err := h.cfg.Artifacts.PutVerified(http.MaxBytesReader(w, r.Body, maxArtifact), digest)
	if errors.Is(err, artifact.ErrDigestMismatch) || errors.Is(err, artifact.ErrInvalidDigest) {
		err = badRequest{err.Error()}
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
