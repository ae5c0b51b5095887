package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// Snapshot is a consistent copy of the server's data, taken, to stream
// (backup.Snapshot).
type Snapshot interface {
	// Stream writes the copy to w as a tar.
	Stream(w io.Writer) error
	// Close releases the copy.
	Close() error
}

// backup serves POST /v1/backup: a consistent copy of every
// environment's database (and the artifacts), taken now while the
// controllers go on, streamed as a tar. The copy is taken before the
// answer starts, so a failure to take it (a full disk) is an error
// status; a failure while streaming aborts the answer, which the client
// then reads as truncated.
func (h *handler) backup(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Backup == nil {
		writeError(w, h.cfg.Logger, badRequest{"this server cannot take backups"})
		return
	}
	snap, err := h.cfg.Backup(r.Context())
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	defer snap.Close()
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	if err := snap.Stream(w); err != nil {
		if !errors.Is(err, context.Canceled) {
			h.cfg.Logger.Error("backup stream failed", "err", err)
		}
		panic(http.ErrAbortHandler) // the client sees a truncated answer, not a short tar
	}
}
