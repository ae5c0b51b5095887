package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/slipway-dev/slipway/store"
)

// PathFlagDefinitions serves the latest flag configuration (flags,
// segments, overrides and its revision) to in-process evaluators
// (package flags/feed), behind the same evaluation keys as OFREP; they
// follow OFREP's event stream to know when to fetch it again.
const PathFlagDefinitions = "/ofrep/v1/slipway/definitions"

// flagDefinitions handles GET PathFlagDefinitions. The ETag is the
// revision: If-None-Match with it answers 304.
func flagDefinitions(s store.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		var c store.FlagConfig
		err := s.View(r.Context(), func(tx store.Tx) error {
			var err error
			c, err = tx.GetFlagConfig()
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			c, err = store.FlagConfig{}, nil
		}
		if err != nil {
			http.Error(w, "could not read the flags", http.StatusInternalServerError)
			return
		}
		etag := `"r` + strconv.Itoa(c.Revision) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(c)
	})
}
