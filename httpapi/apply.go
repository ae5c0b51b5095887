package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// parse decodes an ApplyRequest and its spec, checks it within the
// server's instance limits, and checks that every artifact it names was
// uploaded, and pins every image by digest (pulling it).
// The spec is resolved for the request's environment (its overrides).
func (h *handler) parse(r *http.Request) (*spec.App, api.ApplyRequest, error) {
	var req api.ApplyRequest
	if err := decodeJSON(r, &req); err != nil {
		return nil, req, err
	}
	if req.File == "" {
		req.File = "slipway.yaml"
	}
	app, err := spec.ParseWith(req.File, []byte(req.Spec), spec.Options{CheckExpr: analysis.CheckExpr, CheckFlagExpr: flags.CheckExpr,
		CheckConfigExpr: config.CheckExpr, Environment: h.in(r).Name, MaxInstancesPerService: h.cfg.Limits.perService(), DataDir: h.cfg.DataDir,
		EventTypes: eventTypeNames(), Applying: true})
	if err != nil {
		return nil, req, err
	}
	if err := h.checkTotal(r.Context(), app, h.in(r).Name, req.File); err != nil {
		return nil, req, err
	}
	if err := h.checkRouters(app, req.File); err != nil {
		return nil, req, err
	}
	// Certificate files are read where the server runs: checked now, so
	// that a router never gets one it cannot serve, and stored by their
	// absolute paths.
	if err := app.CheckCertificates(req.Dir, h.cfg.Clock.Now()); err != nil {
		return nil, req, err
	}
	app.ResolveFiles(req.Dir)
	if err := h.checkArtifacts(app, req.File); err != nil {
		return nil, req, err
	}
	return app, req, h.pinImages(r.Context(), app, req.File)
}

func (h *handler) checkArtifacts(app *spec.App, file string) error {
	var ps spec.Problems
	for _, name := range spec.TopoOrder(app.Services) {
		a := app.Services[name].Artifact
		if a == nil {
			continue
		}
		path := "services." + name + ".artifact"
		switch {
		case a.Digest == "":
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path + ".path"), Path: path + ".digest",
				Message: "missing: the client must upload the file and send its digest (slipway apply does)"})
		case !h.cfg.Artifacts.Has(a.Digest):
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path + ".path"), Path: path + ".digest",
				Message: fmt.Sprintf("artifact %s was never uploaded (PUT /v1/artifacts/%s)", a.Digest, a.Digest)})
		}
	}
	if len(ps) > 0 {
		return &ps
	}
	return nil
}

func (h *handler) validate(w http.ResponseWriter, r *http.Request) {
	h.plan(w, r)
}

func (h *handler) plan(w http.ResponseWriter, r *http.Request) {
	app, req, err := h.parse(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	values, err := h.secretValues(r, req)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	var plan api.Plan
	db := h.in(r).Store
	if db == nil { // an environment the apply will create: everything is new
		db = store.NewMemory()
	}
	cp, err := h.planConfigs(r, db, app, req)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	err = db.View(r.Context(), func(tx store.Tx) error {
		secrets, err := h.previewSecrets(r, tx, app, req, values)
		if err != nil {
			return err
		}
		cs, err := stack.Plan(tx, app)
		if err != nil {
			return err
		}
		fp, err := stack.PlanFlags(tx, app)
		if err != nil {
			return err
		}
		plan = toPlan(app.Name, cs)
		tc, err := stack.PlanTLS(tx, app)
		if err != nil {
			return err
		}
		plan.TLS = toTLSChanges(tc)
		plan.Warnings = append(plan.Warnings, tlsAddressWarnings(app.Environment, tc)...)
		plan.Secrets = secrets
		if plan.Revisions, err = nextRevisions(tx, cs); err != nil {
			return err
		}
		moves := map[string]stack.RevisionMove{}
		for name, rc := range plan.Revisions {
			moves[name] = stack.RevisionMove{From: rc.From, To: rc.To}
		}
		if err := stack.TieConfigs(tx, &cp, moves); err != nil {
			return err
		}
		plan.Configs = toConfigChanges(cp)
		plan.Flags, plan.Segments, plan.Warnings = toChanges(fp.Flags), toChanges(fp.Segments), warnings(app, fp)
		notes, err := stack.ScaleNotes(tx, cs)
		if err != nil {
			return err
		}
		plan.Warnings = append(plan.Warnings, notes...)
		plan.Kept, err = stack.Kept(tx, app)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, plan)
}

func (h *handler) apply(w http.ResponseWriter, r *http.Request) {
	app, req, err := h.parse(r)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	values, err := h.secretValues(r, req)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	e, err := h.target(h.in(r).Name, app)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	cp, err := h.planConfigs(r, e.Store, app, req)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	var secrets map[string]api.SecretChange
	var cs spec.ChangeSet
	var fp stack.FlagPlan
	var op *store.Operation
	var kept, notes []string
	// The spec's parts are applied together; a part its file does not
	// have (services in a file of flags only, flags in one of services
	// only) is left as it is, not emptied (spec/sections.go).
	err = e.Store.Update(r.Context(), func(tx store.Tx) error {
		src := stack.Source{File: req.File, Text: req.Spec, Dir: req.Dir}
		if secrets, err = h.storeSecrets(r, tx, app, req, values); err != nil {
			return err
		}
		if kept, err = stack.Kept(tx, app); err != nil {
			return err
		}
		if cs, err = stack.Plan(tx, app); err != nil {
			return err
		}
		if notes, err = stack.ScaleNotes(tx, cs); err != nil { // before the apply ends a scale
			return err
		}
		cs, op, err = stack.Apply(tx, app, src, h.cfg.Clock.Now())
		if err != nil {
			return err
		}
		if fp, err = stack.ApplyFlags(tx, app, src, h.cfg.Clock.Now()); err != nil {
			return err
		}
		if err := stack.TieConfigs(tx, &cp, stack.OperationMoves(op)); err != nil {
			return err
		}
		return stack.ApplyConfigs(tx, cp, h.cfg.Clock.Now())
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	out := api.ApplyResponse{Plan: toPlan(app.Name, cs)}
	out.Plan.Configs = toConfigChanges(cp)
	for _, v := range cp.Next {
		e.Enqueue(queue.ConfigKey(v.Name))
	}
	out.Plan.Flags, out.Plan.Segments, out.Plan.Warnings = toChanges(fp.Flags), toChanges(fp.Segments), warnings(app, fp)
	out.Plan.Kept, out.Plan.Secrets = kept, secrets
	out.Plan.Warnings = append(out.Plan.Warnings, notes...)
	status := http.StatusOK
	if op != nil {
		out.Plan.Revisions = map[string]api.RevisionChange{}
		for _, ch := range op.Changes {
			if ch.To != 0 {
				out.Plan.Revisions[ch.Service] = api.RevisionChange{From: ch.From, To: ch.To}
			}
		}
		e.Enqueue(queue.OperationKey(op.ID))
		o := toOperation(*op)
		out.Operation, status = &o, http.StatusCreated
	}
	writeJSON(w, status, out)
}

// target is the environment an apply of app goes to. A spec with
// services creates it the first time; a file of flags only does not (an
// environment is made by its services' spec, which names its router).
func (h *handler) target(name string, app *spec.App) (*Env, error) {
	if app.HasServices() {
		return h.cfg.Envs.Open(name, app)
	}
	e, err := h.cfg.Envs.Get(name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.NotFoundf("environment %s does not exist yet: a file of flags only applies to an environment "+
			"its services' spec made (slipway apply -f slipway.yaml --env %s)", name, name)
	}
	return e, err
}

func (h *handler) rollback(w http.ResponseWriter, r *http.Request) {
	var req api.RollbackRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &req); err != nil {
			writeError(w, h.cfg.Logger, err)
			return
		}
	}
	var op *store.Operation
	err := h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
		var err error
		op, err = stack.Rollback(tx, r.PathValue("name"), req.To, req.Reason, h.cfg.Clock.Now())
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.in(r).Enqueue(queue.OperationKey(op.ID))
	writeJSON(w, http.StatusCreated, toOperation(*op))
}

func (h *handler) operation(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, h.cfg.Logger, badRequest{"operation id: want an integer"})
		return
	}
	var op store.Operation
	err = h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		op, err = tx.GetOperation(id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		err = store.NotFoundf("operation %d does not exist", id)
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, toOperation(op))
}

func (h *handler) operations(w http.ResponseWriter, r *http.Request) {
	active := r.URL.Query().Get("active") == "true"
	var ops []store.Operation
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		ops, err = tx.ListOperations(active, 100)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	out := make([]api.Operation, 0, len(ops))
	for _, op := range ops {
		out = append(out, toOperation(op))
	}
	writeJSON(w, http.StatusOK, out)
}

// nextRevisions says which revision each added or changed service would
// get: one more than its highest.
func nextRevisions(tx store.Tx, cs spec.ChangeSet) (map[string]api.RevisionChange, error) {
	out := map[string]api.RevisionChange{}
	names := slices.Clone(cs.Added)
	for _, c := range cs.Changed {
		names = append(names, c.Name)
	}
	for _, name := range names {
		revs, err := tx.ListRevisions(name)
		if err != nil {
			return nil, err
		}
		rc := api.RevisionChange{To: len(revs) + 1}
		if svc, err := tx.GetService(name); err == nil && !svc.Removed {
			rc.From = svc.Revision
		}
		out[name] = rc
	}
	return out, nil
}

// warnings are a plan's warnings: the flags' (stack.PlanFlags), then the
// services that would run as root.
func warnings(app *spec.App, fp stack.FlagPlan) []string {
	return append(fp.Warnings, spec.UserWarnings(app.Services)...)
}

// tlsAddressWarnings warns of a tls.address that is not read: the
// default environment's TLS listener is the server's --router-tls
// (another environment's moves when the apply is in force: syncTLS).
func tlsAddressWarnings(env string, c spec.TLSChange) []string {
	if env != "" && env != spec.DefaultEnvironment {
		return nil
	}
	for _, f := range c.Fields {
		if f.Path == "tls.address" && f.New != "(none)" {
			return []string{"tls.address " + f.New + ": the default environment's TLS listener is the server's --router-tls; its spec's address is not read"}
		}
	}
	return nil
}

// eventTypeNames are the event types a notification may name.
func eventTypeNames() []string {
	types := store.EventTypes()
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = string(t)
	}
	return out
}
