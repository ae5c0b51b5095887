package pipeline

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Stage is where a service stands in one environment.
type Stage struct {
	Env, From string
	// Gates are the environment's gates, as the spec says them.
	Gates []string
	// Version runs there (its stable revision), since Since.
	Version  string
	Revision int
	Phase    string
	Since    time.Time
	// Promotion is the latest promotion into the environment, if any;
	// Waiting what it waits for while in flight.
	Promotion *store.Promotion
	Waiting   string
}

// Status is a service's pipeline: each environment in promotion order,
// the versions pushed, and every promotion, newest first.
type Status struct {
	Service    string
	Stages     []Stage
	Versions   []store.Version
	Promotions []store.Promotion
}

// Status reports where each version of a service stands in each of the
// hosted environments named, in the order of the spec applied last.
func (c *Controller) Status(ctx context.Context, service string, hosted []string) (Status, error) {
	out := Status{Service: service}
	order, specs := c.order(ctx, hosted)
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		if out.Versions, err = tx.ListVersions(service); err != nil {
			return err
		}
		out.Promotions, err = tx.ListPromotions(service, false, 0)
		return err
	})
	if err != nil {
		return out, err
	}
	known := len(out.Versions) > 0 || len(out.Promotions) > 0
	for _, name := range order {
		st := Stage{Env: name}
		if app := specs[name]; app != nil {
			if def, ok := app.Env(name); ok {
				st.From = def.Source()
				for _, g := range def.Gates {
					st.Gates = append(st.Gates, g.String())
				}
			}
		}
		if e, err := c.cfg.Env(name); err == nil {
			src, err := c.source(ctx, name, service)
			if err != nil {
				return out, err
			}
			if src.Revision != 0 {
				known = true
				st.Revision, st.Phase, st.Since = src.Revision, src.Phase, src.Since
				if v, err := c.stableVersion(ctx, e, service, src.Revision); err == nil {
					st.Version = v
				}
			}
		}
		for i := range out.Promotions {
			if p := &out.Promotions[i]; p.To == name {
				st.Promotion = p
				if !p.State.Terminal() {
					st.Waiting = p.Reason
				}
				break
			}
		}
		out.Stages = append(out.Stages, st)
	}
	if !known {
		return out, store.NotFoundf("service %q has no versions, promotions or revisions in any environment", service)
	}
	return out, nil
}

// stableVersion names the version a revision runs.
func (c *Controller) stableVersion(ctx context.Context, e *Env, service string, revision int) (string, error) {
	var a *spec.Artifact
	err := e.Store.View(ctx, func(tx store.Tx) error {
		r, err := tx.GetRevision(service, revision)
		a = r.Spec.Artifact
		return err
	})
	if err != nil || a == nil {
		return "", errors.Join(err, errors.New("no artifact"))
	}
	v, err := c.versionOf(ctx, service, a)
	return v.Version, err
}

// order is the hosted environments in the promotion order of the spec
// applied last (others after, by name), with each one's own spec.
func (c *Controller) order(ctx context.Context, hosted []string) ([]string, map[string]*spec.App) {
	specs := map[string]*spec.App{}
	var latest *spec.App
	var latestAt time.Time
	for _, name := range hosted {
		e, err := c.cfg.Env(name)
		if err != nil {
			continue
		}
		var a store.App
		if e.Store.View(ctx, func(tx store.Tx) error { var err error; a, err = tx.GetApp(); return err }) != nil {
			continue
		}
		app, err := spec.ParseWith(a.File, []byte(a.Spec), spec.Options{Environment: name, MaxInstancesPerService: -1}) // accepted when applied
		if err != nil {
			continue
		}
		specs[name] = app
		if a.AppliedAt.After(latestAt) {
			latest, latestAt = app, a.AppliedAt
		}
	}
	var out []string
	if latest != nil {
		for _, n := range latest.EnvironmentNames() {
			if slices.Contains(hosted, n) && specs[n] != nil {
				out = append(out, n)
			}
		}
	}
	for _, n := range hosted {
		if !slices.Contains(out, n) && specs[n] != nil {
			out = append(out, n)
		}
	}
	return out, specs
}
