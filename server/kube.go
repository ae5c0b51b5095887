package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/platform/kube"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// kubeRef is the Kubernetes platform the spec being applied gives an
// environment it creates (nil: read the stored spec's).
type kubeRef struct {
	app string
	k   *spec.Kubernetes
}

// kubeOf is the Kubernetes platform app gives environment name, if any.
func kubeOf(app *spec.App, name string) *kubeRef {
	if e, ok := app.Env(name); ok && e.Kube() != nil {
		return &kubeRef{app: app.Name, k: e.Kube()}
	}
	return nil
}

// platform returns the platform environment p runs its services on:
// nil for this machine, or its cluster when its spec (ref, else the
// stored spec) names one. It is read when the environment opens
// (created, or the server started); a later change waits for a
// restart. A cluster that cannot be configured (no kubeconfig, no
// such context) still gives a platform: one whose every call says why,
// on each service's message, so that the environment never runs on
// this machine instead.
func (s *Server) platform(ctx context.Context, p *parts, ref *kubeRef) workload.Platform {
	if ref == nil {
		ref = storedKube(ctx, p)
	}
	if ref == nil {
		return nil
	}
	c, err := kube.Open(ref.app, p.name, ref.k)
	if err != nil {
		s.cfg.Logger.Error("Kubernetes environment without its cluster", "env", p.name, "err", err)
		return noCluster{err: err}
	}
	s.cfg.Logger.Info("Kubernetes environment", "env", p.name, "namespace", ref.k.Namespace, "context", ref.k.Context)
	p.cluster = c
	return c
}

// watchCluster runs the informers of a Kubernetes environment's cluster
// until ctx ends, each change enqueueing its service: a pass follows a
// Deployment's readiness at once and reads nothing from the API server.
// Informers that cannot start (cluster unreachable, RBAC) are retried
// with backoff; reads meanwhile go to the API server.
func (s *Server) watchCluster(ctx context.Context, p *parts) {
	wait := time.Second
	for {
		err := p.cluster.Watch(ctx, func(svc string) { p.queue.Add(queue.ServiceKey(svc)) })
		if ctx.Err() != nil {
			return
		}
		s.cfg.Logger.Warn("Kubernetes informers not running; retrying", "env", p.name, "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// storedKube is the Kubernetes platform of the spec p's store last
// applied, if any.
func storedKube(ctx context.Context, p *parts) *kubeRef {
	var app store.App
	err := p.store.View(ctx, func(tx store.Tx) error {
		var err error
		app, err = tx.GetApp()
		return err
	})
	if err != nil || app.Spec == "" {
		return nil
	}
	parsed, err := spec.ParseWith(app.File, []byte(app.Spec), spec.Options{Environment: p.name, MaxInstancesPerService: -1})
	if err != nil {
		return nil
	}
	return kubeOf(parsed, p.name)
}

// noCluster is the platform of a Kubernetes environment whose cluster
// could not be configured: every call fails with why.
type noCluster struct{ err error }

var _ workload.Platform = noCluster{}

func (n noCluster) fail() error { return fmt.Errorf("no cluster: %w", n.err) }

func (n noCluster) Deploy(context.Context, workload.Revision) error { return n.fail() }
func (n noCluster) Route(context.Context, router.Route) error       { return n.fail() }
func (n noCluster) Observe(context.Context, string) ([]workload.RevisionStatus, error) {
	return nil, n.fail()
}
func (n noCluster) Delete(context.Context, string, int) error { return n.fail() }
func (n noCluster) Remove(context.Context, string) error      { return n.fail() }

// pods are a Kubernetes environment's pods as the API's instances (nil
// for an environment on this machine).
func (p *parts) pods() httpapi.Pods {
	if p.cluster == nil {
		return nil
	}
	return clusterPods{p.cluster}
}

type clusterPods struct{ c *kube.Cluster }

func (cp clusterPods) Instances(ctx context.Context, service string) ([]api.Instance, error) {
	ins, err := cp.c.Instances(ctx, service)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", httpapi.ErrUnavailable, err)
	}
	out := make([]api.Instance, 0, len(ins))
	for _, in := range ins {
		out = append(out, api.Instance{ID: in.Pod, Revision: in.Revision, State: string(in.Phase), Ready: in.Ready,
			Restarts: int(in.Restarts), Message: in.Message, StartedAt: in.Started, Node: in.Node})
	}
	return out, nil
}

func (cp clusterPods) Autoscalers(ctx context.Context, service string) ([]api.HPA, error) {
	hs, err := cp.c.Autoscalers(ctx, service)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", httpapi.ErrUnavailable, err)
	}
	out := make([]api.HPA, 0, len(hs))
	for _, h := range hs {
		a := api.HPA{Name: h.Name, Revision: h.Revision, Current: h.Current, Desired: h.Desired, LastScaleTime: h.LastScaleTime}
		for _, m := range h.Metrics {
			a.Metrics = append(a.Metrics, api.AutoscaleMetric{Name: m.Name, Current: m.Current, Target: m.Target, Unit: m.Unit})
		}
		for _, c := range h.Conditions {
			a.Conditions = append(a.Conditions, api.AutoscaleCondition{Type: c.Type, Status: c.Status, Reason: c.Reason, Message: c.Message})
		}
		out = append(out, a)
	}
	return out, nil
}

func (cp clusterPods) Logs(ctx context.Context, pod string, n int) ([]string, error) {
	lines, err := cp.c.Logs(ctx, pod, n)
	switch {
	case errors.Is(err, kube.ErrNoPod):
		return nil, store.NotFoundf("%v", err)
	case err != nil:
		return lines, fmt.Errorf("%w: %w", httpapi.ErrUnavailable, err)
	}
	return lines, nil
}

// manifests renders what Slipway applies to a Kubernetes environment's
// cluster (nil for one on this machine): each service's target revision
// at its desired instances and, during a rollout, its stable revision
// too, with its route as the traffic policy has it now.
func (p *parts) manifests() func(ctx context.Context) ([]byte, error) {
	if p.cluster == nil {
		return nil
	}
	return func(ctx context.Context) ([]byte, error) {
		var revs []kube.Revision
		var routed []rollout.Routed
		err := p.store.View(ctx, func(tx store.Tx) error {
			svcs, err := tx.ListServices()
			if err != nil {
				return err
			}
			for _, svc := range svcs {
				if svc.Removed || svc.Revision == 0 {
					continue
				}
				rs, err := manifestRevisions(tx, svc)
				if err != nil {
					return err
				}
				revs = append(revs, rs...)
				routed = append(routed, rollout.Routed{Service: svc, Route: rs[len(rs)-1].Spec.Route})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return kube.Manifests(p.cluster.Target(), revs, rollout.Routes(routed, nil))
	}
}

// install renders what runs the server inside a Kubernetes
// environment's cluster (nil for one on this machine), with the Role it
// needs in the environment's namespace.
func (p *parts) install() func(namespace, image string) ([]byte, error) {
	if p.cluster == nil {
		return nil
	}
	return func(namespace, image string) ([]byte, error) {
		b, err := kube.InstallManifests(kube.Install{Namespace: namespace, Image: image, Drives: []string{p.cluster.Target().Namespace}})
		if errors.Is(err, kube.ErrInvalid) {
			return nil, store.Invalidf("%v", err)
		}
		return b, err
	}
}

// manifestRevisions are a service's revisions in its manifests: the
// stable one during a rollout, then the target.
func manifestRevisions(tx store.Tx, svc store.Service) ([]kube.Revision, error) {
	ins, err := tx.ListInstances(svc.Name)
	if err != nil {
		return nil, err
	}
	nums := []int{svc.Revision}
	if svc.Stable != 0 && svc.Stable != svc.Revision {
		nums = []int{svc.Stable, svc.Revision}
	}
	var out []kube.Revision
	for _, n := range nums {
		rev, err := tx.GetRevision(svc.Name, n)
		if err != nil {
			return nil, err
		}
		want, _ := rollout.TargetReplicas(svc, rev, ins)
		r := kube.Revision{Service: svc.Name, Number: n, Spec: &rev.Spec, Replicas: int32(want),
			// at rest, an HPA sizes it (rollout.platformScaled)
			Autoscaled: rev.Spec.Scale != nil && n == svc.Revision && svc.Phase != store.PhaseProgressing}
		if rl := rev.Spec.Strategy.Rolling; rl != nil {
			r.MinReady = rl.MinReady.Duration
		}
		out = append(out, r)
	}
	return out, nil
}
