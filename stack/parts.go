package stack

import (
	"errors"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Parts of an app that an apply converges separately (spec/sections.go).
const (
	PartServices = "services"
	PartFlags    = "flags"
)

// Kept names the parts of the app that applying app leaves as they are
// because its file does not have them, among those the app has: the
// services for a file of flags only (once a spec of services was
// applied), the flags and segments for a file of services only (while
// any are served).
func Kept(tx store.Tx, app *spec.App) ([]string, error) {
	var kept []string
	if !app.HasServices() {
		// A services spec was applied (its operation may not have
		// started its services yet).
		_, err := tx.GetApp()
		switch {
		case err == nil:
			kept = append(kept, PartServices)
		case !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	if !app.HasFlags() {
		c, err := currentFlags(tx)
		if err != nil {
			return nil, err
		}
		if len(c.Flags)+len(c.Segments) > 0 {
			kept = append(kept, PartFlags)
		}
	}
	return kept, nil
}
