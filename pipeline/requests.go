package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// envSpec is the spec last applied to an environment, resolved for it
// (its overrides, its gates), and the directory it was applied from.
func envSpec(ctx context.Context, e *Env) (*spec.App, string, error) {
	var a store.App
	err := e.Store.View(ctx, func(tx store.Tx) error {
		var err error
		a, err = tx.GetApp()
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", store.NotFoundf("nothing was applied to environment %s yet: slipway apply -f slipway.yaml --env %s", e.Name, e.Name)
	}
	if err != nil {
		return nil, "", err
	}
	app, err := spec.ParseWith(a.File, []byte(a.Spec), spec.Options{Environment: e.Name, MaxInstancesPerService: -1}) // accepted when applied
	if err != nil {
		return nil, "", fmt.Errorf("the spec applied to %s no longer parses: %w", e.Name, err)
	}
	return app, a.Dir, nil
}

// env returns a hosted environment, or a not-found error that says how
// to create it.
func (c *Controller) env(name string) (*Env, error) {
	e, err := c.cfg.Env(name)
	if err != nil {
		return nil, store.NotFoundf("environment %q does not exist on this server: slipway apply -f slipway.yaml --env %s creates it", name, name)
	}
	return e, nil
}

// gates are an environment's gates, frozen into a promotion.
func gates(app *spec.App, env, dir string) []store.Gate {
	def, ok := app.Env(env)
	if !ok {
		return nil
	}
	out := make([]store.Gate, len(def.Gates))
	for i, g := range def.Gates {
		out[i] = store.Gate{Kind: g.Kind(), Spec: g.String(), State: store.GatePending, Def: g, Dir: dir}
	}
	return out
}

// Deploy starts a promotion of a pushed version into an environment that
// takes deploys (one with no source environment), through its gates.
func (c *Controller) Deploy(ctx context.Context, service, version, env, by string) (store.Promotion, error) {
	to, err := c.env(env)
	if err != nil {
		return store.Promotion{}, err
	}
	app, dir, err := envSpec(ctx, to)
	if err != nil {
		return store.Promotion{}, err
	}
	if def, ok := app.Env(env); ok && def.Source() != "" {
		return store.Promotion{}, store.Invalidf("%s is promoted from %s, not deployed to: slipway promote %s --from %s --to %s",
			env, def.Source(), service, def.Source(), env)
	}
	if err := runsArtifact(app, service, env); err != nil {
		return store.Promotion{}, err
	}
	v, err := c.pushed(ctx, service, version)
	if err != nil {
		return store.Promotion{}, err
	}
	if err := stack.CheckVersionKind(*app.Services[service], v); err != nil {
		return store.Promotion{}, err
	}
	p := store.Promotion{Service: service, Version: v.Version, Digest: v.Digest, To: env, By: by, Gates: gates(app, env, dir)}
	return c.create(ctx, p, to)
}

// Promote starts a promotion of the version a service runs in from into
// to, which must be promoted from it, through to's gates. version, when
// given, must be what from runs.
func (c *Controller) Promote(ctx context.Context, service, from, toName, version, by string) (store.Promotion, error) {
	to, err := c.env(toName)
	if err != nil {
		return store.Promotion{}, err
	}
	app, dir, err := envSpec(ctx, to)
	if err != nil {
		return store.Promotion{}, err
	}
	def, ok := app.Env(toName)
	switch {
	case !ok:
		return store.Promotion{}, store.NotFoundf("environment %s is not in its spec (environments: %s)", toName, strings.Join(app.EnvironmentNames(), ", "))
	case def.Source() == "":
		return store.Promotion{}, store.Invalidf("%s is not promoted from another environment: deploy to it (slipway deploy %s --version V --env %s)", toName, service, toName)
	case def.Source() != from:
		return store.Promotion{}, store.Invalidf("%s is promoted from %s (environments.%s.from), not from %s", toName, def.Source(), toName, from)
	}
	if err := runsArtifact(app, service, toName); err != nil {
		return store.Promotion{}, err
	}
	src, err := c.env(from)
	if err != nil {
		return store.Promotion{}, err
	}
	running, err := c.runningIn(ctx, src, service, version)
	if err != nil {
		return store.Promotion{}, err
	}
	if err := stack.CheckVersionKind(*app.Services[service], running); err != nil {
		return store.Promotion{}, err
	}
	p := store.Promotion{Service: service, Version: running.Version, Digest: running.Digest, From: from, To: toName, By: by, Gates: gates(app, toName, dir)}
	return c.create(ctx, p, to)
}

// runningIn is the version a service's stable revision runs in an
// environment, checked against the version asked for.
func (c *Controller) runningIn(ctx context.Context, e *Env, service, want string) (store.Version, error) {
	var svc store.Service
	var revs []store.Revision
	err := e.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if svc, err = tx.GetService(service); err != nil {
			return err
		}
		revs, err = tx.ListRevisions(service)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Version{}, store.NotFoundf("service %q is not in %s: no version of it reached %s", service, e.Name, e.Name)
	}
	if err != nil {
		return store.Version{}, err
	}
	if svc.Stable == 0 || svc.Stable > len(revs) {
		return store.Version{}, store.Conflictf("%s has never run in %s: nothing to promote yet", service, e.Name)
	}
	stable := revs[svc.Stable-1]
	cur, ok, err := c.revisionVersion(ctx, stable.Spec)
	if err != nil {
		return store.Version{}, err
	}
	if !ok {
		return store.Version{}, store.Invalidf("%s runs a command in %s, not an artifact or an image: only artifacts and images are promoted", service, e.Name)
	}
	if want != "" && want != cur.Version {
		return store.Version{}, c.notRunning(ctx, e, service, want, cur, revs)
	}
	if svc.Phase != store.PhaseReady || svc.Revision != svc.Stable {
		return store.Version{}, store.Conflictf("%s in %s is %s (moving to revision %d): promote once its rollout is over", service, e.Name, svc.Phase, svc.Revision)
	}
	return cur, nil
}

// notRunning explains why a version asked for cannot be promoted out of
// an environment: it never got there, or it is no longer what runs.
func (c *Controller) notRunning(ctx context.Context, e *Env, service, want string, cur store.Version, revs []store.Revision) error {
	var seen []string
	reached := false
	for _, r := range revs {
		if r.State != store.RevisionStable && r.State != store.RevisionSuperseded {
			continue
		}
		v, ok, err := c.revisionVersion(ctx, r.Spec)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if !slices.Contains(seen, v.Version) {
			seen = append(seen, v.Version)
		}
		reached = reached || v.Version == want
	}
	if reached {
		return store.Conflictf("version %s of %s ran in %s before, but %s runs %s now: promote what runs there", want, service, e.Name, e.Name, cur.Version)
	}
	return store.Conflictf("version %s of %s never reached %s (it has run %s): promote it into %s first", want, service, e.Name, strings.Join(seen, ", "), e.Name)
}

// revisionVersion names what a revision runs (versionOf, imageVersionOf);
// ok is false for a command without an artifact, which is never promoted.
func (c *Controller) revisionVersion(ctx context.Context, s spec.Service) (v store.Version, ok bool, err error) {
	switch {
	case s.RunsImage():
		v, err = c.imageVersionOf(ctx, s.Name, s.Image)
		return v, true, err
	case s.Artifact != nil:
		v, err = c.versionOf(ctx, s.Name, s.Artifact)
		return v, true, err
	}
	return store.Version{}, false, nil
}

// imageVersionOf names a revision's image: the pushed version of its
// digest, or, for one applied from a spec, its reference. An image not
// pinned by digest is refused: a tag may move between environments.
func (c *Controller) imageVersionOf(ctx context.Context, service, ref string) (store.Version, error) {
	digest := spec.ImageDigest(ref)
	if digest == "" {
		return store.Version{}, store.Invalidf("%s runs image %s, a tag, not a digest: promotion moves a digest; push the image as a version "+
			"(slipway artifact push --image %s --service %s --version V) and deploy that", service, ref, ref, service)
	}
	var v store.Version
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		v, err = tx.VersionByDigest(service, digest)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Version{Service: service, Version: artifact.Short(digest), Kind: store.VersionImage, Digest: digest, Image: ref}, nil
	}
	return v, err
}

// versionOf names a revision's artifact: the pushed version with its
// digest, or, for one applied from a spec, its own label.
func (c *Controller) versionOf(ctx context.Context, service string, a *spec.Artifact) (store.Version, error) {
	var v store.Version
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		v, err = tx.VersionByDigest(service, a.Digest)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		label := a.Version
		if label == "" {
			label = artifact.Short(a.Digest)
		}
		return store.Version{Service: service, Version: label, Digest: a.Digest}, nil
	}
	return v, err
}

// pushed returns a pushed version, or an error that lists the ones there
// are.
func (c *Controller) pushed(ctx context.Context, service, version string) (store.Version, error) {
	var v store.Version
	var all []store.Version
	err := c.cfg.Hub.View(ctx, func(tx store.Tx) error {
		var err error
		v, err = tx.GetVersion(service, version)
		if errors.Is(err, store.ErrNotFound) {
			all, _ = tx.ListVersions(service)
		}
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		labels := make([]string, len(all))
		for i, x := range all {
			labels[i] = x.Version
		}
		if len(labels) == 0 {
			return v, store.NotFoundf("version %s of %s was never pushed (none was): slipway artifact push FILE --service %s --version %s", version, service, service, version)
		}
		return v, store.NotFoundf("version %s of %s was never pushed (pushed: %s)", version, service, strings.Join(labels, ", "))
	}
	return v, err
}

// create stores a new promotion, refusing a second one of the same
// service into the same environment while one is in flight.
func (c *Controller) create(ctx context.Context, p store.Promotion, to *Env) (store.Promotion, error) {
	now := c.cfg.Clock.Now()
	p.State, p.CreatedAt = store.PromotionWaiting, now
	err := c.cfg.Hub.Update(ctx, func(tx store.Tx) error {
		a, found, err := inFlight(tx, p.Service, p.To)
		if err != nil {
			return err
		}
		if found {
			return store.Conflictf("promotion %d of %s version %s into %s is still %s (%s): approve it, cancel it (slipway pipeline cancel %s --env %s), or wait for it to end",
				a.ID, a.Service, a.Version, a.To, lower(a.State), a.Reason, a.Service, a.To)
		}
		if p, err = tx.CreatePromotion(p); err != nil {
			return err
		}
		what := "deploy"
		if p.From != "" {
			what = "promotion from " + p.From
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventPromotionRequested, Service: p.Service, Data: promotionData(p, nil),
			Message: fmt.Sprintf("promotion %d: %s of %s version %s into %s (gates: %s), by %s", p.ID, what, p.Service, p.Version, p.To, gateList(p.Gates), p.By)})
		return err
	})
	if err != nil {
		return p, err
	}
	c.cfg.Enqueue(queue.PromotionKey(p.ID), 0)
	return p, nil
}

func gateList(gs []store.Gate) string {
	if len(gs) == 0 {
		return "none"
	}
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.Spec
	}
	return strings.Join(out, ", ")
}

// inFlight returns the promotion of service into env that has not ended,
// if any (there is at most one: create refuses a second).
func inFlight(tx store.Tx, service, env string) (store.Promotion, bool, error) {
	active, err := tx.ListPromotions(service, true, 0)
	i := slices.IndexFunc(active, func(a store.Promotion) bool { return a.To == env })
	if err != nil || i < 0 {
		return store.Promotion{}, false, err
	}
	return active[i], true, nil
}

// Approve passes (or, with reject, fails) the approval gate a promotion
// of service into env waits at, recording who.
func (c *Controller) Approve(ctx context.Context, service, env, by string, reject bool, reason string) (store.Promotion, error) {
	if by == "" {
		return store.Promotion{}, store.Invalidf("an approval must say who approves (--by, default $USER)")
	}
	return c.approve(ctx, by, reject, reason, func(tx store.Tx) (store.Promotion, error) {
		p, found, err := inFlight(tx, service, env)
		if err == nil && !found {
			err = store.Conflictf("no promotion of %s into %s is in flight: nothing waits for approval", service, env)
		}
		return p, err
	})
}

// ApproveLink is Approve through a signed one-time link (a
// notification's): the link names the promotion and the gate (index)
// it was made for, where the promotion must still wait, and its use is
// recorded in the same transaction, so that it works once and a link
// for another promotion, or for an approval gate already decided,
// changes nothing.
func (c *Controller) ApproveLink(ctx context.Context, use store.LinkUse, gate int, reject bool) (store.Promotion, error) {
	if use.By == "" || use.Nonce == "" {
		return store.Promotion{}, store.Invalidf("an approval link must name its approver and nonce")
	}
	use.UsedAt = c.cfg.Clock.Now()
	return c.approve(ctx, use.By, reject, "", func(tx store.Tx) (store.Promotion, error) {
		p, err := tx.GetPromotion(use.Promotion)
		if err != nil {
			return p, err
		}
		if p.State.Terminal() {
			return p, store.Conflictf("promotion %d of %s version %s into %s has ended (%s): nothing waits for approval", p.ID, p.Service, p.Version, p.To, orState(p))
		}
		if current(p) != gate {
			return p, store.Conflictf("this link was made for gate %d of promotion %d of %s version %s into %s, which waits there no more (%s)", gate+1, p.ID, p.Service, p.Version, p.To, orState(p))
		}
		return p, tx.UseLink(use)
	})
}

// approve decides the approval gate of the promotion find returns, in one
// transaction of the hub with its event.
func (c *Controller) approve(ctx context.Context, by string, reject bool, reason string, find func(tx store.Tx) (store.Promotion, error)) (store.Promotion, error) {
	now := c.cfg.Clock.Now()
	var p store.Promotion
	err := c.cfg.Hub.Update(ctx, func(tx store.Tx) error {
		var err error
		if p, err = find(tx); err != nil {
			return err
		}
		g := current(p)
		if p.State != store.PromotionWaiting || g >= len(p.Gates) || p.Gates[g].Def.Approval == nil {
			return store.Conflictf("promotion %d of %s version %s into %s waits for no approval now (%s)", p.ID, p.Service, p.Version, p.To, orState(p))
		}
		gate := &p.Gates[g]
		gate.ApprovedBy, gate.EndedAt = by, now
		verb, typ := "approved", store.EventPromotionApproved
		if reject {
			verb, typ, gate.State, gate.Reason = "rejected", store.EventPromotionRejected, store.GateFailed, "rejected by "+by
			if reason != "" {
				gate.Reason += ": " + reason
			}
		} else {
			gate.State, gate.Reason = store.GatePassed, "approved by "+by
		}
		if err := tx.PutPromotion(p); err != nil {
			return err
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: typ, Service: p.Service, Data: promotionData(p, &g),
			Message: fmt.Sprintf("promotion %d of %s version %s into %s %s by %s", p.ID, p.Service, p.Version, p.To, verb, by)})
		return err
	})
	if err != nil {
		return p, err
	}
	c.cfg.Enqueue(queue.PromotionKey(p.ID), 0)
	return p, nil
}

// promotionData is the Data of p's events (gate: the gate's index, or
// nil).
func promotionData(p store.Promotion, gate *int) json.RawMessage {
	b, err := json.Marshal(store.PromotionData{ID: p.ID, To: p.To, From: p.From, Version: p.Version, Gate: gate})
	if err != nil {
		panic(err) // a struct of strings and ints always encodes
	}
	return b
}

// Cancel ends the promotion of service into env that waits at its gates
// (a test command it runs is stopped). One already deploying is not
// cancelled: its rollout is the target's to finish or roll back.
func (c *Controller) Cancel(ctx context.Context, service, env, by string) (store.Promotion, error) {
	now := c.cfg.Clock.Now()
	var p store.Promotion
	err := c.cfg.Hub.Update(ctx, func(tx store.Tx) error {
		var found bool
		var err error
		p, found, err = inFlight(tx, service, env)
		if err != nil {
			return err
		}
		if !found {
			return store.Conflictf("no promotion of %s into %s is in flight: nothing to cancel", service, env)
		}
		if p.State == store.PromotionDeploying {
			return store.Conflictf("promotion %d of %s version %s into %s is deploying (operation %d): it is past its gates; roll it back with slipway rollback %s --env %s",
				p.ID, service, p.Version, env, p.Operation, service, env)
		}
		p.State, p.FinishedAt, p.Reason = store.PromotionCancelled, now, "cancelled by "+by
		if err := tx.PutPromotion(p); err != nil {
			return err
		}
		_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventPromotionCancelled, Service: service, Data: promotionData(p, nil),
			Message: fmt.Sprintf("promotion %d of %s version %s into %s cancelled by %s", p.ID, service, p.Version, env, by)})
		return err
	})
	if err == nil {
		c.forget(p.ID)
	}
	return p, err
}

// runsArtifact checks, before any gate runs, that the service is in the
// spec applied to env and runs an artifact or an image a version can
// replace (stack.Deploy checks the version is of the same kind).
func runsArtifact(app *spec.App, service, env string) error {
	svc, ok := app.Services[service]
	switch {
	case !ok:
		return store.NotFoundf("service %q is not in the spec applied to %s (services: %s)", service, env, strings.Join(names(app), ", "))
	case svc.Artifact == nil && !svc.RunsImage():
		return store.Invalidf("service %s runs a command in %s, not an artifact: give it `artifact: {path: FILE}` in the spec to deploy pushed versions", service, env)
	}
	return nil
}

func orState(p store.Promotion) string {
	if p.Reason != "" {
		return p.Reason
	}
	return lower(p.State)
}

func names(app *spec.App) []string {
	out := make([]string, 0, len(app.Services))
	for n := range app.Services {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
