package rollout

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// platformPoll is how often a pass looks again at a platform that has
// not converged. A watched cluster enqueues the service sooner, when its
// objects change; the controller still says when to come back, as the
// platform may report readiness only by being asked (informers not
// synced yet, or not running). On synced informers a pass sends no
// request.
const platformPoll = 2 * time.Second

// reconcilePlatform is Reconcile for an environment that runs on a
// workload.Platform (Kubernetes): the same desired state, strategies and
// judges, with revisions instead of instances. A pass reads the
// platform's revisions, plans with workload.DecideRevisions (pure),
// writes what changed (new or larger revisions, then the route, then
// smaller ones and deletions: traffic never names a revision before its
// objects exist, nor stays on one being removed), and judges the
// rollout from the target's available instances as it would from
// processes, and watches the service's health (unhealthy.go) from them.
func (c *Controller) reconcilePlatform(ctx context.Context, name string, s snapshot) (time.Duration, error) {
	now := c.cfg.Clock.Now()
	obs, err := c.cfg.Platform.Observe(ctx, name)
	if err != nil {
		return time.Second, c.platformFailed(ctx, s, err)
	}
	s.instances = append(s.instances, canaryStable(s.svc, obs)...)
	d, err := c.desired(ctx, s, now)
	if err != nil {
		return 0, err
	}
	auto, sc, err := c.platformScaled(ctx, s, d, obs)
	if err != nil {
		return 0, err
	}
	if sc != nil {
		d.Replicas = platformReplicas(d, sc.Min, sc.Max, auto, obs)
	}
	// What the platform's autoscaler decided is recorded, not acted on: a
	// failure to read or record it does not hold the rollout up.
	switch wrote, err := c.recordAutoscaler(ctx, s, auto); {
	case err != nil:
		c.cfg.Logger.Warn("autoscaler's decision not recorded", "service", name, "err", err)
	case wrote:
		return time.Millisecond, nil // the record changed: plan from it
	}
	p := workload.DecideRevisions(d, obs)
	if err := c.applyRevisions(ctx, name, s, obs, p, auto); err != nil {
		return time.Second, c.platformFailed(ctx, s, err)
	}
	if d.Removed {
		return c.removeFromPlatform(ctx, name, s, p)
	}
	plan := workload.Plan{Converged: p.Converged, Available: p.Available}
	wrote, again, err := c.judge(ctx, s, plan, d.Replicas, now)
	switch {
	case err != nil:
		return time.Second, err
	case wrote:
		return time.Millisecond, nil // look again at once: level-triggered
	}
	// As on one machine: a service whose pods stay unready (a
	// Deployment's available pods below the desired count, as the
	// informers show it) for UnhealthyAfter is reported, once a spell.
	watched, err := c.watchHealth(ctx, name, s, plan, d.Replicas, now)
	if err != nil {
		return time.Second, err
	}
	again = minPositive(again, watched)
	next := requeue(s.svc, plan, now)
	if !p.Converged && (again == 0 || again > platformPoll) {
		again = platformPoll
	}
	if again > 0 && (next == 0 || again < next) {
		next = again
	}
	return next, nil
}

// applyRevisions writes the plan: growing revisions, the route, then
// shrinking and deleted ones. A revision the platform has at the
// planned count is written again all the same: the platform skips what
// it holds as written (kube.Cluster sends nothing).
func (c *Controller) applyRevisions(ctx context.Context, name string, s snapshot, obs []workload.RevisionStatus, p workload.RevisionPlan, auto map[int]int) error {
	had := map[int]int{}
	for _, o := range obs {
		had[o.Revision] = o.Replicas
	}
	var shrink []int
	for _, rev := range slices.Sorted(maps.Keys(p.Scale)) {
		if n, ok := had[rev]; ok && p.Scale[rev] < n {
			shrink = append(shrink, rev)
			continue
		}
		if err := c.deploy(ctx, name, rev, p.Scale[rev], had, auto); err != nil {
			return err
		}
	}
	for _, rev := range slices.Sorted(maps.Keys(auto)) {
		if _, planned := p.Scale[rev]; !planned { // a canary's stable: its HPA's floor
			if err := c.deploy(ctx, name, rev, had[rev], had, auto); err != nil {
				return err
			}
		}
	}
	if err := c.route(ctx, s); err != nil {
		return err
	}
	for _, rev := range shrink {
		if err := c.deploy(ctx, name, rev, p.Scale[rev], had, auto); err != nil {
			return err
		}
	}
	for _, rev := range p.Delete {
		if err := c.cfg.Platform.Delete(ctx, name, rev); err != nil {
			return fmt.Errorf("delete revision %d of %s: %w", rev, name, err)
		}
		err := c.platformEvent(ctx, name, rev, store.EventRevisionDeleted, fmt.Sprintf("%s: revision %d deleted from the platform", name, rev))
		if err != nil {
			return err
		}
	}
	return nil
}

// platformEvent records a platform write in the audit log, linked to the
// operation rolling the service out, if one is.
func (c *Controller) platformEvent(ctx context.Context, name string, rev int, typ store.EventType, msg string) error {
	now := c.cfg.Clock.Now()
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		e := store.Event{Time: now, Type: typ, Service: name, Revision: rev, Message: msg}
		if svc, err := tx.GetService(name); err == nil && svc.Phase == store.PhaseProgressing {
			e.Operation = svc.Operation
		}
		_, err := tx.AppendEvent(e)
		return err
	})
}

// deploy writes one revision at replicas instances, recording a new
// count (had: the counts the platform reported) in the audit log; a
// revision in auto, the platform's autoscaler sizes (platformScaled).
func (c *Controller) deploy(ctx context.Context, name string, n, replicas int, had, auto map[int]int) error {
	rev, err := c.revision(ctx, name, n)
	if err != nil {
		return err
	}
	floor, scaled := auto[n]
	r := workload.Revision{Service: name, Number: n, Spec: &rev.Spec, Replicas: replicas,
		Autoscaled: scaled, AutoscaleFloor: floor}
	if rl := rev.Spec.Strategy.Rolling; rl != nil {
		r.MinReady = rl.MinReady.Duration
	}
	if r.SecretEnv, err = c.platformSecrets(ctx, rev); err != nil {
		return fmt.Errorf("deploy revision %d of %s: %w", n, name, err)
	}
	if err := c.cfg.Platform.Deploy(ctx, r); err != nil {
		return fmt.Errorf("deploy revision %d of %s at %d: %w", n, name, replicas, err)
	}
	if was, ok := had[n]; ok && was == replicas {
		return nil
	}
	return c.platformEvent(ctx, name, n, store.EventRevisionScaled, fmt.Sprintf("%s: revision %d set to %d instances", name, n, replicas))
}

// route writes the service's traffic split as the router would get it
// (Routes' entry: the same policy on both platforms). A platform that
// splits by replicas gets, for a service with no route (host or path),
// an entry with only its split.
func (c *Controller) route(ctx context.Context, s snapshot) error {
	if !s.found || s.svc.Removed || s.svc.Revision == 0 {
		return nil
	}
	rev, err := c.revision(ctx, s.svc.Name, s.svc.Revision)
	if err != nil {
		return err
	}
	r, ok := route(Routed{Service: s.svc, Route: rev.Spec.Route}, nil)
	switch {
	case !ok && !c.splitsByReplicas():
		return nil
	case !ok: // not routed, but the stable Service's selector is the split
		r = router.Route{Service: s.svc.Name}
		split(&r, s.svc.Traffic)
	}
	if err := c.cfg.Platform.Route(ctx, r); err != nil {
		return fmt.Errorf("route %s: %w", s.svc.Name, err)
	}
	return nil
}

// removeFromPlatform finishes a removed service once its revisions are
// gone: its route and stable address go, then its record.
func (c *Controller) removeFromPlatform(ctx context.Context, name string, s snapshot, p workload.RevisionPlan) (time.Duration, error) {
	if !p.Converged {
		return platformPoll, nil
	}
	if err := c.cfg.Platform.Remove(ctx, name); err != nil {
		return time.Second, c.platformFailed(ctx, s, fmt.Errorf("remove %s: %w", name, err))
	}
	if s.found && s.svc.Removed {
		return 0, c.deleteService(ctx, s.svc)
	}
	return 0, nil
}

// platformFailed says on the service why the platform refused (a
// conflict, RBAC, a missing namespace), so that status shows it, and
// returns err: the queue retries with backoff. The message is written
// once, not on every retry.
func (c *Controller) platformFailed(ctx context.Context, s snapshot, err error) error {
	msg := "platform: " + err.Error()
	if !s.found || s.svc.Message == msg {
		return err
	}
	now := c.cfg.Clock.Now()
	if werr := c.updateService(ctx, s.svc, func(tx store.Tx, svc *store.Service) error {
		svc.Message = msg
		_, err := tx.AppendEvent(store.Event{Time: now, Type: store.EventPlatformFailed, Service: svc.Name,
			Revision: svc.Revision, Operation: svc.Operation, Message: svc.Name + ": " + msg})
		return err
	}); werr != nil && !errors.Is(werr, errStale) {
		return fmt.Errorf("%w (and recording it: %v)", err, werr)
	}
	return err
}

// platformSecrets reveals the env values of rev that reference secrets,
// at the versions it pinned, for the platform to keep as its own secrets
// (a Kubernetes Secret the pods' env references); nil when none does.
func (c *Controller) platformSecrets(ctx context.Context, rev store.Revision) (map[string]string, error) {
	env := maps.Clone(rev.Spec.Env)
	names, err := c.revealSecrets(ctx, env, rev)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	out := make(map[string]string, len(names))
	for _, k := range names {
		out[k] = env[k]
	}
	return out, nil
}
