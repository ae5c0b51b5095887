package stack

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// tlsChanged reports whether the spec being applied (src, for app's
// environment) has another tls: section than the one last applied: the
// router's TLS edge follows the app record's spec, so such an apply
// writes the record even when no service changes.
func tlsChanged(tx store.Tx, app *spec.App, src Source) (bool, error) {
	prev, err := tx.GetApp()
	if errors.Is(err, store.ErrNotFound) {
		return app.TLSFor(app.Environment) != nil, nil
	}
	if err != nil {
		return false, err
	}
	return tlsOf(prev.File, prev.Spec, app.Environment) != tlsOf(src.File, src.Text, app.Environment), nil
}

// tlsOf is the tls: section of spec text for env, as JSON ("" when the
// text does not parse: it was checked when it was applied).
func tlsOf(file, text, env string) string {
	a, err := spec.ParseWith(file, []byte(text), spec.Options{Environment: env, MaxInstancesPerService: -1})
	if err != nil {
		return ""
	}
	b, _ := json.Marshal(a.TLSFor(env))
	return string(b)
}

// putTLS records an apply that changed only the tls: section.
func putTLS(tx store.Tx, app *spec.App, src Source, now time.Time) error {
	changed, err := tlsChanged(tx, app, src)
	if err != nil || !changed {
		return err
	}
	return putApp(tx, store.App{Name: app.Name, Spec: src.Text, File: src.File, Dir: src.Dir, AppliedAt: now})
}

// PlanTLS returns what applying app would change at its environment's
// TLS edge: the tls: section against the one last applied, and the
// hosts served over TLS (with their certificates' source) against the
// services' target revisions. A spec without services keeps the
// services' hosts.
func PlanTLS(tx store.Tx, app *spec.App) (spec.TLSChange, error) {
	cur, err := Current(tx)
	if err != nil {
		return spec.TLSChange{}, err
	}
	var oldTLS *spec.TLS
	prev, err := tx.GetApp()
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return spec.TLSChange{}, err
	default:
		if a, perr := spec.ParseWith(prev.File, []byte(prev.Spec), spec.Options{Environment: app.Environment, MaxInstancesPerService: -1}); perr == nil {
			a.ResolveFiles(prev.Dir)
			oldTLS = a.TLSFor(app.Environment)
		}
	}
	next := app.Services
	if !app.HasServices() {
		next = cur
	}
	return spec.DiffTLS(oldTLS, cur, app.TLSFor(app.Environment), next), nil
}
