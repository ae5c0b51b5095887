package httpapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// DefaultMaxInstances is the instance limit of a server started without
// --max-instances: every service of every environment together.
const DefaultMaxInstances = 500

// Limits bound what a spec may ask of the server. The zero value is the
// defaults.
type Limits struct {
	// MaxInstancesPerService is the most instances one service may ask
	// for (0: spec.DefaultMaxInstancesPerService).
	MaxInstancesPerService int
	// MaxInstances is the most instances all the server's services may
	// ask for together, in every environment (0: DefaultMaxInstances).
	MaxInstances int
}

// perService is the per-service limit, defaults applied.
func (l Limits) perService() int {
	if l.MaxInstancesPerService > 0 {
		return l.MaxInstancesPerService
	}
	return spec.DefaultMaxInstancesPerService
}

// total is the server-wide limit, defaults applied.
func (l Limits) total() int {
	if l.MaxInstances > 0 {
		return l.MaxInstances
	}
	return DefaultMaxInstances
}

// checkTotal refuses app, applied to environment env, when its instances
// and those every other environment asks for pass the server's limit.
// It is checked before anything is stored or created.
func (h *handler) checkTotal(ctx context.Context, app *spec.App, env, file string) error {
	asked := replicas(app)
	if asked == 0 {
		return nil
	}
	others, err := h.instancesElsewhere(ctx, env)
	if err != nil {
		return err
	}
	limit := h.cfg.Limits.total()
	if asked+others <= limit {
		return nil
	}
	msg := fmt.Sprintf("these services ask for %d instances", asked)
	if others > 0 {
		msg += fmt.Sprintf(" and the server's other environments for %d", others)
	}
	msg += fmt.Sprintf(": more than the server's limit of %d; its operator can raise it with slipway server --max-instances", limit)
	return &spec.Problems{{File: file, Line: app.Line("services"), Path: "services", Message: msg}}
}

// replicas is how many instances app's services ask for: an autoscaled
// one, as many as it may run (scale.max).
func replicas(app *spec.App) int {
	n := 0
	for _, s := range app.Services {
		if s.Scale != nil {
			n += s.Scale.Max
			continue
		}
		n += s.Replicas()
	}
	return n
}

// instancesElsewhere sums the instances the specs applied to every
// environment other than except ask for.
func (h *handler) instancesElsewhere(ctx context.Context, except string) (int, error) {
	n := 0
	for _, e := range h.cfg.Envs.List() {
		if e.Name == except || e.Store == nil {
			continue
		}
		var a store.App
		err := e.Store.View(ctx, func(tx store.Tx) error {
			var err error
			a, err = tx.GetApp()
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("count instances of environment %s: %w", e.Name, err)
		}
		// Accepted when it was applied: no per-service limit now.
		app, err := spec.ParseWith(a.File, []byte(a.Spec), spec.Options{Environment: e.Name, MaxInstancesPerService: -1})
		if err != nil {
			continue // a stored spec that no longer parses asks for nothing new
		}
		n += replicas(app)
	}
	return n, nil
}
