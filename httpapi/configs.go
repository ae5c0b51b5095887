package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// configView is a config's wire form: its version and its delivery.
func configView(v store.ConfigVersion, d *store.ConfigDelivery, instances []store.Instance) api.Config {
	out := api.Config{Name: v.Name, Version: v.Version, Current: v.Version, Revision: v.Revision, Values: v.Values, Overridden: stack.Overridden(v),
		Source: string(v.Source), From: v.From, By: v.By, Reason: v.Reason, Created: v.CreatedAt,
		EnvVar: spec.ConfigEnvVar(v.Name)}
	if out.Values == nil {
		out.Values = map[string]any{}
	}
	if c := v.Spec; c != nil {
		out.Service, out.Schema, out.Rules, out.Validate = c.Service, c.Schema, c.Rules, c.Validate
		out.Strategy = strategyWords(c.Delivery)
	}
	if d != nil {
		out.Delivery = deliveryView(*d, instances, v.Spec)
		if e := d.Effective(); e > 0 {
			out.Current = e
		}
	}
	return out
}

// strategyWords says how a config is delivered.
func strategyWords(d spec.ConfigDelivery) string {
	var s string
	switch st := d.Strategy; {
	case st.Linear != nil:
		s = fmt.Sprintf("linear: %d steps, %s apart", st.Linear.Steps, st.Linear.Interval)
	case st.Exponential != nil:
		s = fmt.Sprintf("exponential: x%g every %s", st.Exponential.Factor, st.Exponential.Interval)
	default:
		s = "all at once"
	}
	if d.Bake.Duration > 0 {
		s += ", bake " + d.Bake.String()
	}
	if d.Analysis != nil {
		s += ", with analysis"
	}
	return s
}

func deliveryView(d store.ConfigDelivery, instances []store.Instance, c *spec.Config) *api.ConfigDelivery {
	out := &api.ConfigDelivery{Version: d.Version, Previous: d.Previous, Revision: d.Revision, Phase: string(d.Phase), Step: d.Step,
		Instances: []api.ConfigInstance{}, Reason: d.Reason, Started: d.Started, Ended: d.Ended}
	for _, in := range instances {
		out.Instances = append(out.Instances, api.ConfigInstance{ID: in.ID, Revision: in.Revision, Desired: d.Desired(in.ID, in.Revision), Applied: d.Applied[in.ID]})
	}
	var a *spec.Analysis
	if c != nil {
		a = c.Delivery.Analysis
	}
	out.Analysis = runView(d.Analysis, a)
	return out
}

// readConfig reads a config's version n (latest when 0) with its
// delivery and its service's instances.
func readConfig(tx store.Tx, name string, n int) (api.Config, error) {
	v, err := tx.GetConfigVersion(name, n)
	if err != nil {
		return api.Config{}, err
	}
	d, err := tx.GetConfigDelivery(name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return api.Config{}, err
	}
	var dp *store.ConfigDelivery
	var instances []store.Instance
	if err == nil {
		dp = &d
		if v.Spec != nil {
			if instances, err = tx.ListInstances(v.Spec.Service); err != nil {
				return api.Config{}, err
			}
		}
	}
	return configView(v, dp, instances), nil
}

// configList handles GET /v1/configs.
func (h *handler) configList(w http.ResponseWriter, r *http.Request) {
	out := []api.Config{}
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		vs, err := tx.ListConfigs()
		for _, v := range vs {
			c, err := readConfig(tx, v.Name, v.Version)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return err
	})
	h.answer(w, out, err)
}

// configGet handles GET /v1/configs/{name} (?version=N: that version).
func (h *handler) configGet(w http.ResponseWriter, r *http.Request) {
	var out api.Config
	n, err := intParam(r, "version")
	if err == nil {
		err = h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
			out, err = readConfig(tx, r.PathValue("name"), n)
			return err
		})
	}
	h.answer(w, out, err)
}

// configVersions handles GET /v1/configs/{name}/versions, newest first.
func (h *handler) configVersions(w http.ResponseWriter, r *http.Request) {
	out := []api.ConfigVersion{}
	name := r.PathValue("name")
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		if _, err := tx.GetConfigVersion(name, 0); err != nil {
			return err
		}
		vs, err := tx.ListConfigVersions(name, 0)
		if err != nil {
			return err
		}
		for _, v := range vs {
			cv := api.ConfigVersion{Version: v.Version, Values: v.Values, Source: string(v.Source), From: v.From,
				By: v.By, Reason: v.Reason, Created: v.CreatedAt, Revision: v.Revision}
			if cv.Release, err = releaseWords(tx, v); err != nil {
				return err
			}
			out = append(out, cv)
		}
		return nil
	})
	h.answer(w, out, err)
}

// configDiff handles GET /v1/configs/{name}/diff?from=N&to=M: to
// defaults to the latest, from to the version before to.
func (h *handler) configDiff(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	from, err := intParam(r, "from")
	to, err2 := intParam(r, "to")
	if err == nil {
		err = err2
	}
	out := api.ConfigDiff{Name: name, Changes: []api.ConfigChange{}}
	if err == nil {
		err = h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
			b, err := tx.GetConfigVersion(name, to)
			if err != nil {
				return err
			}
			if from == 0 {
				from = b.Version - 1
			}
			var a store.ConfigVersion
			if from > 0 {
				if a, err = tx.GetConfigVersion(name, from); err != nil {
					return err
				}
			}
			out.From, out.To = from, b.Version
			for _, c := range config.Diff(a.Values, b.Values) {
				out.Changes = append(out.Changes, api.ConfigChange{Path: c.Path, Old: c.Old, New: c.New})
			}
			return nil
		})
	}
	h.answer(w, out, err)
}

// configEdit handles POST /v1/configs/{name}/versions: set, push or
// roll back. The new version is checked (schema, rules, command) before
// anything is stored; a config that moved on meanwhile is a conflict.
func (h *handler) configEdit(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var req api.ConfigRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	edit := stack.ConfigEdit{Set: req.Set, RollbackTo: req.RollbackTo, Base: req.Base,
		By: store.ActorFrom(r.Context()), Reason: req.Reason}
	if req.Push != nil {
		edit.Push, edit.PushFile = []byte(*req.Push), req.File
		if edit.PushFile == "" {
			edit.PushFile = "the pushed document"
		}
	}
	db, now := h.in(r).Store, h.cfg.Clock.Now()
	var next store.ConfigVersion
	var typ store.EventType
	err := db.View(r.Context(), func(tx store.Tx) (err error) {
		next, typ, err = stack.NextConfig(tx, name, edit, now)
		return err
	})
	if err == nil {
		err = stack.ConfigRefused(name, stack.ValidateConfig(r.Context(), next))
	}
	var out api.Config
	if err == nil {
		err = db.Update(r.Context(), func(tx store.Tx) error {
			saved, err := stack.SaveConfig(tx, next, typ, now)
			if err == nil {
				out, err = readConfig(tx, name, saved.Version)
			}
			return err
		})
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.in(r).Enqueue(queue.ConfigKey(name))
	writeJSON(w, http.StatusCreated, out)
}

// answer writes out, or err.
func (h *handler) answer(w http.ResponseWriter, out any, err error) {
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// intParam reads a whole-number query parameter (0 when absent).
func intParam(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, badRequest{fmt.Sprintf("%s must be a version number, like 3; got %q", name, s)}
	}
	return n, nil
}

// planConfigs reads the configs' schema files, plans their new versions
// on db, and checks each (schema, rules, command) outside any
// transaction: a command may take its time.
func (h *handler) planConfigs(r *http.Request, db store.Store, app *spec.App, req api.ApplyRequest) (stack.ConfigPlan, error) {
	var plan stack.ConfigPlan
	if !app.HasConfigs() {
		return plan, nil
	}
	schemas, err := stack.LoadConfigSchemas(app, req.File, req.Dir)
	if err != nil {
		return plan, err
	}
	src := stack.Source{File: req.File, Text: req.Spec, Dir: req.Dir}
	err = db.View(r.Context(), func(tx store.Tx) (err error) {
		plan, err = stack.PlanConfigs(tx, app, schemas, src, h.cfg.Clock.Now())
		return err
	})
	if err != nil {
		return plan, err
	}
	by := store.ActorFrom(r.Context())
	for i := range plan.Next {
		plan.Next[i].By = by
	}
	return plan, stack.CheckConfigPlan(r.Context(), app, req.File, plan)
}

// toConfigChanges is a config plan's wire form; nil when it is empty.
func toConfigChanges(p stack.ConfigPlan) *api.ConfigChanges {
	if p.Empty() {
		return nil
	}
	out := &api.ConfigChanges{Added: p.Added, Changed: p.Changed, Dropped: p.Dropped}
	for _, r := range p.Released {
		out.Released = append(out.Released, api.ConfigRelease{Config: r.Config, Service: r.Service, Revision: r.Revision, Keeps: r.Keeps})
	}
	return out
}

// configStop handles POST /v1/configs/{name}/stop: the delivery in
// flight stops and its instances go back to the previous version.
func (h *handler) configStop(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var req api.ConfigRequest
	err := decodeOptional(r, &req)
	var out api.Config
	if err == nil {
		err = h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
			if _, err := stack.StopConfig(tx, name, store.ActorFrom(r.Context()), req.Reason, h.cfg.Clock.Now()); err != nil {
				return err
			}
			out, err = readConfig(tx, name, 0)
			return err
		})
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.in(r).Enqueue(queue.ConfigKey(name))
	writeJSON(w, http.StatusOK, out)
}

// releaseWords says how the revision a config version was released with
// ended (its state is the truth: the delivery record keeps only the
// latest delivery); "" for a version released on its own.
func releaseWords(tx store.Tx, v store.ConfigVersion) (string, error) {
	if v.Revision == 0 || v.Spec == nil {
		return "", nil
	}
	rev, err := tx.GetRevision(v.Spec.Service, v.Revision)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "gone", nil
	case err != nil:
		return "", err
	}
	switch rev.State {
	case store.RevisionStable, store.RevisionSuperseded:
		return "promoted", nil
	case store.RevisionRolledBack:
		return "rolled back: " + rev.Reason, nil
	}
	return "in release", nil
}
