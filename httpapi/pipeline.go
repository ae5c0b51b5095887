package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/pipeline"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Pipeline moves pushed versions through environments (package
// pipeline's Controller).
type Pipeline interface {
	Deploy(ctx context.Context, service, version, env, by string) (store.Promotion, error)
	Promote(ctx context.Context, service, from, to, version, by string) (store.Promotion, error)
	Approve(ctx context.Context, service, env, by string, reject bool, reason string) (store.Promotion, error)
	// ApproveLink approves (or rejects) the promotion a one-time link
	// names at the gate it names, recording its use with the approval.
	ApproveLink(ctx context.Context, use store.LinkUse, gate int, reject bool) (store.Promotion, error)
	Cancel(ctx context.Context, service, env, by string) (store.Promotion, error)
	Status(ctx context.Context, service string, hosted []string) (pipeline.Status, error)
}

func (h *handler) pipelineRoutes() {
	m := h.mux
	m.HandleFunc("POST /v1/versions", h.pushVersion)
	m.HandleFunc("GET /v1/versions", h.listVersions)
	m.HandleFunc("POST /v1/services/{name}/deploy", promotionVerb(h, h.deploy))
	m.HandleFunc("POST /v1/services/{name}/promote-env", promotionVerb(h, h.promoteEnv))
	m.HandleFunc("POST /v1/services/{name}/approve", promotionVerb(h, h.approve))
	m.HandleFunc("POST /v1/services/{name}/promotion/cancel", promotionVerb(h, h.cancelPromotion))
	m.HandleFunc("GET /v1/pipeline/{name}", h.pipelineStatus)
	m.HandleFunc("POST /v1/down", h.down)
}

// hub is the store of versions and promotions: the default environment's.
func (h *handler) hub() (store.Store, error) {
	e, err := h.cfg.Envs.Get(spec.DefaultEnvironment)
	if err != nil {
		return nil, err
	}
	return e.Store, nil
}

func (h *handler) pipeline() (Pipeline, error) {
	if h.cfg.Pipeline == nil {
		return nil, store.NotFoundf("this server runs without a pipeline: versions, deploys and promotions need slipway server")
	}
	return h.cfg.Pipeline, nil
}

// pushVersion serves POST /v1/versions: the artifact was uploaded first
// (PUT /v1/artifacts/{digest}).
func (h *handler) pushVersion(w http.ResponseWriter, r *http.Request) {
	var req api.Version
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	v, err := h.checkVersion(req)
	if err == nil && req.Image != "" {
		err = h.versionImage(r.Context(), &v, req)
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	hub, err := h.hub()
	if err == nil {
		err = hub.Update(r.Context(), func(tx store.Tx) error {
			if err := tx.PutVersion(v); err != nil {
				return err
			}
			v, err = tx.GetVersion(v.Service, v.Version)
			return err
		})
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusCreated, toVersion(v))
}

// versionImage makes v the image req names: pulled (or found stored by
// its digest), and pinned to its manifest digest.
func (h *handler) versionImage(ctx context.Context, v *store.Version, req api.Version) error {
	if req.Digest != "" || req.Path != "" {
		return badRequest{"an image version names its image only: leave digest and path out (the server resolves the digest)"}
	}
	img, err := h.resolveImage(ctx, req.Image)
	if err != nil {
		return fmt.Errorf("image %s: %w", req.Image, err)
	}
	v.Kind, v.Digest, v.Image, v.Size = store.VersionImage, img.Digest, spec.PinImage(req.Image, img.Digest), img.Size
	return nil
}

// serviceName is the rule for service names (a DNS label).
var serviceName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

// checkVersion checks a pushed version before anything is stored.
func (h *handler) checkVersion(req api.Version) (store.Version, error) {
	var bad []string
	if !serviceName.MatchString(req.Service) {
		bad = append(bad, "service: want a service name like invoice, got "+quote(req.Service))
	}
	if req.Version == "" || len(req.Version) > 128 || strings.ContainsAny(req.Version, " \t\n/") {
		bad = append(bad, "version: want a label like v1.4.2 (no spaces or slashes, at most 128 characters), got "+quote(req.Version))
	}
	if req.Image == "" && !h.cfg.Artifacts.Has(req.Digest) {
		bad = append(bad, "digest: artifact "+quote(req.Digest)+" was never uploaded (PUT /v1/artifacts/{digest}; slipway artifact push does)")
	}
	v := store.Version{Service: req.Service, Version: req.Version, Kind: store.VersionFile, Digest: req.Digest, Path: req.Path, Size: req.Size,
		CommitTime: req.CommitTime, PushedAt: h.cfg.Clock.Now()}
	if req.Commit != "" {
		c, err := spec.ParseCommitID(req.Commit)
		if err != nil {
			bad = append(bad, "commit: "+err.Error())
		}
		v.Commit = c
	}
	for _, c := range req.Commits {
		id, err := spec.ParseCommitID(c.ID)
		if err != nil {
			bad = append(bad, "commits: "+err.Error())
			break
		}
		v.Commits = append(v.Commits, store.Commit{ID: id, Time: c.Time})
	}
	if len(bad) > 0 {
		return v, badRequest{strings.Join(bad, "; ")}
	}
	return v, nil
}

func (h *handler) listVersions(w http.ResponseWriter, r *http.Request) {
	hub, err := h.hub()
	var vs []store.Version
	if err == nil {
		err = hub.View(r.Context(), func(tx store.Tx) error {
			var err error
			vs, err = tx.ListVersions(r.URL.Query().Get("service"))
			return err
		})
	}
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	out := make([]api.Version, len(vs))
	for i, v := range vs {
		out[i] = toVersion(v)
	}
	writeJSON(w, http.StatusOK, out)
}

// promotionVerb serves a request that starts or moves a promotion of
// the service in the path: it decodes a request of type R and answers
// the promotion do returns.
func promotionVerb[R any](h *handler, do func(r *http.Request, pl Pipeline, service string, req R) (store.Promotion, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req R
		if err := decodeJSON(r, &req); err != nil {
			writeError(w, h.cfg.Logger, err)
			return
		}
		pl, err := h.pipeline()
		var p store.Promotion
		if err == nil {
			p, err = do(r, pl, r.PathValue("name"), req)
		}
		if err != nil {
			writeError(w, h.cfg.Logger, err)
			return
		}
		writeJSON(w, http.StatusOK, toPromotion(p))
	}
}

// deploy serves POST /v1/services/{name}/deploy?env=NAME.
func (h *handler) deploy(r *http.Request, pl Pipeline, service string, req api.DeployRequest) (store.Promotion, error) {
	return pl.Deploy(r.Context(), service, req.Version, h.in(r).Name, who(r))
}

// promoteEnv serves POST /v1/services/{name}/promote-env.
func (h *handler) promoteEnv(r *http.Request, pl Pipeline, service string, req api.PromoteRequest) (store.Promotion, error) {
	if req.From == "" || req.To == "" {
		return store.Promotion{}, badRequest{"from and to: both environments are required (slipway promote S --from staging --to prod)"}
	}
	return pl.Promote(r.Context(), service, req.From, req.To, req.Version, who(r))
}

// approve serves POST /v1/services/{name}/approve?env=NAME.
func (h *handler) approve(r *http.Request, pl Pipeline, service string, req api.ApproveRequest) (store.Promotion, error) {
	return pl.Approve(r.Context(), service, h.in(r).Name, who(r), req.Reject, req.Reason)
}

// cancelPromotion serves POST /v1/services/{name}/promotion/cancel?env=NAME.
func (h *handler) cancelPromotion(r *http.Request, pl Pipeline, service string, req api.ApproveRequest) (store.Promotion, error) {
	return pl.Cancel(r.Context(), service, h.in(r).Name, who(r))
}

// pipelineStatus serves GET /v1/pipeline/{name}.
func (h *handler) pipelineStatus(w http.ResponseWriter, r *http.Request) {
	pl, err := h.pipeline()
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	var hosted []string
	for _, e := range h.cfg.Envs.List() {
		hosted = append(hosted, e.Name)
	}
	st, err := pl.Status(r.Context(), r.PathValue("name"), hosted)
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusOK, toPipeline(st))
}

// down serves POST /v1/down?env=NAME: it records the environment going
// down and answers 202 Accepted; the server takes it down in the
// background (its controllers stop, its instances are drained and
// stopped, its services removed).
func (h *handler) down(w http.ResponseWriter, r *http.Request) {
	var req api.DownRequest
	if err := decodeJSON(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	name := h.in(r).Name
	if err := h.cfg.Envs.Down(r.Context(), name, who(r)); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	writeJSON(w, http.StatusAccepted, api.Environment{Name: name, Down: true})
}

func toVersion(v store.Version) api.Version {
	out := api.Version{Service: v.Service, Version: v.Version, Kind: string(v.Kind), Digest: v.Digest, Image: v.Image, Path: v.Path, Size: v.Size,
		Commit: string(v.Commit), CommitTime: v.CommitTime, PushedAt: v.PushedAt}
	for _, c := range v.Commits {
		out.Commits = append(out.Commits, api.Commit{ID: string(c.ID), Time: c.Time})
	}
	return out
}

func toPromotion(p store.Promotion) api.Promotion {
	out := api.Promotion{ID: p.ID, Service: p.Service, Version: p.Version, Digest: p.Digest, From: p.From, To: p.To,
		State: string(p.State), Reason: p.Reason, By: p.By, CreatedAt: p.CreatedAt, GatesPassedAt: p.GatesPassedAt,
		Operation: p.Operation, Revision: p.Revision, DeployStartedAt: p.DeployStartedAt, FinishedAt: p.FinishedAt}
	for _, g := range p.Gates {
		out.Gates = append(out.Gates, api.Gate{Kind: g.Kind, Spec: g.Spec, State: string(g.State), Reason: g.Reason,
			StartedAt: g.StartedAt, EndedAt: g.EndedAt, Output: g.Output, ExitCode: g.ExitCode, ApprovedBy: g.ApprovedBy})
	}
	return out
}

func toPipeline(st pipeline.Status) api.Pipeline {
	out := api.Pipeline{Service: st.Service, Stages: []api.Stage{}, Versions: []api.Version{}}
	for _, s := range st.Stages {
		as := api.Stage{Env: s.Env, From: s.From, Gates: s.Gates, Version: s.Version, Revision: s.Revision,
			Phase: s.Phase, Since: s.Since, Waiting: s.Waiting}
		if s.Promotion != nil {
			p := toPromotion(*s.Promotion)
			as.Promotion = &p
		}
		out.Stages = append(out.Stages, as)
	}
	for _, v := range st.Versions {
		out.Versions = append(out.Versions, toVersion(v))
	}
	out.Flow = flow(st.Promotions)
	return out
}

// flow is how long each version took through each environment, oldest
// version first: when it was asked for, how long its gates and its
// rollout took.
func flow(ps []store.Promotion) []api.VersionFlow {
	var out []api.VersionFlow
	index := map[string]int{}
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		j, ok := index[p.Version]
		if !ok {
			j = len(out)
			index[p.Version] = j
			out = append(out, api.VersionFlow{Version: p.Version})
		}
		step := api.FlowStep{Env: p.To, Requested: p.CreatedAt, Finished: p.FinishedAt, State: string(p.State)}
		if !p.GatesPassedAt.IsZero() {
			step.GatesSeconds = p.GatesPassedAt.Sub(p.CreatedAt).Seconds()
		}
		if !p.DeployStartedAt.IsZero() && !p.FinishedAt.IsZero() {
			step.DeploySeconds = p.FinishedAt.Sub(p.DeployStartedAt).Seconds()
		}
		out[j].Steps = append(out[j].Steps, step)
	}
	return out
}
