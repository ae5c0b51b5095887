package stack

import (
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
// services for a file of flags only, the flags and segments for a file
// of services only.
func Kept(tx store.Tx, app *spec.App) ([]string, error) {
	var kept []string
	if !app.HasServices() {
		cur, err := Current(tx)
		if err != nil {
			return nil, err
		}
		if len(cur) > 0 {
			kept = append(kept, PartServices)
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
