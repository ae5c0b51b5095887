package kube

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Watched returns the cluster of target t at cfg, whose reads come from
// informers (client-go's shared informers, through controller-runtime's
// cache) once Watch runs: a pass then reads nothing from the API server,
// and a canary step costs one apply per object it changes. The informers
// hold only the environment's objects (its namespace, Slipway's labels).
// It does no I/O.
//
// A config without a client-side rate limit (QPS 0, as kubeconfig gives)
// gets none, as controller-runtime's own config loader does: client-go's
// default, 5 requests a second per kind, would take 20 s to write 100
// services' Deployments; the API server's priority and fairness
// protects it instead.
func Watched(cfg *rest.Config, t Target) (*Cluster, error) {
	if cfg.QPS == 0 && cfg.RateLimiter == nil {
		cfg = rest.CopyConfig(cfg)
		cfg.QPS = -1
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, classify(err, "connect to the cluster", t.Namespace)
	}
	mapper, err := apiutil.NewDynamicRESTMapper(cfg, hc)
	if err != nil {
		return nil, classify(err, "connect to the cluster", t.Namespace)
	}
	s := Scheme()
	c, err := client.New(cfg, client.Options{HTTPClient: hc, Scheme: s, Mapper: mapper})
	if err != nil {
		return nil, classify(err, "connect to the cluster", t.Namespace)
	}
	ca, err := cache.New(cfg, cache.Options{HTTPClient: hc, Scheme: s, Mapper: mapper,
		DefaultNamespaces:           map[string]cache.Config{t.Namespace: {}},
		DefaultLabelSelector:        labels.SelectorFromSet(labels.Set{LabelManagedBy: FieldManager, LabelEnvironment: t.Env}),
		ReaderFailOnMissingInformer: true,
		// Nothing read from the cache needs who wrote which field (Applied
		// reads that from the API server): 1,000 services' cache is 13.6 MB
		// without, 16.6 MB with (BenchmarkInformerMemory1000Services).
		DefaultTransform: cache.TransformStripManagedFields()})
	if err != nil {
		return nil, classify(err, "watch the cluster", t.Namespace)
	}
	cs, err := kubernetes.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, classify(err, "connect to the cluster", t.Namespace)
	}
	k := NewCluster(c, t)
	k.cache, k.handled, k.pods = ca, map[string]bool{}, cs.CoreV1()
	return k, nil
}

// watchedKinds are the kinds the informers hold: Deployments (readiness,
// drift), Services and HTTPRoutes (drift), pods (status), and
// HorizontalPodAutoscalers (their decisions, which status shows and
// the controller records; drift).
func watchedKinds() []client.Object {
	return []client.Object{&appsv1.Deployment{}, &corev1.Service{}, &gwv1.HTTPRoute{}, &corev1.Pod{},
		&autoscalingv2.HorizontalPodAutoscaler{}}
}

// Watch runs the informers of a Watched cluster until ctx ends (one
// Watch at a time; after one that failed, another may run), calling
// changed with a service's name whenever one of its Deployments,
// Services or HTTPRoutes changes (pods change often and are read only by
// status): the server enqueues the service's key, so a pass follows a
// Deployment's readiness at once instead of polling. Until the informers
// have synced, reads go to the API server. An object deleted or rescaled
// behind Slipway's back is forgotten by the write memory, so the next
// pass writes it again. A cluster without Gateway API is watched without
// HTTPRoutes (route writes say what is missing).
func (k *Cluster) Watch(ctx context.Context, changed func(service string)) error {
	if k.cache == nil {
		return errors.New("watch: the cluster was not opened with informers (kube.Watched)")
	}
	for _, o := range watchedKinds() {
		kind := kindOf(o)
		if kind == "HTTPRoute" && k.t.ByReplicas {
			continue // writes none
		}
		if k.handled[kind] {
			continue // an earlier Watch that failed later registered it
		}
		inf, err := k.cache.GetInformer(ctx, o, cache.BlockUntilSynced(false))
		if meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return classify(err, "watch "+kind+"s in "+k.t.Namespace, k.t.Namespace)
		}
		if _, err := inf.AddEventHandler(events{k: k, kind: kind, changed: changed}); err != nil {
			return fmt.Errorf("watch %ss in %s: %w", kind, k.t.Namespace, err)
		}
		k.handled[kind] = true
	}
	errc := make(chan error, 1)
	go func() { errc <- k.cache.Start(ctx) }()
	if k.cache.WaitForCacheSync(ctx) {
		k.synced.Store(true)
	}
	err := <-errc
	k.synced.Store(false) // a stopped cache no longer follows the cluster
	return err
}

func kindOf(o client.Object) string {
	switch o.(type) {
	case *appsv1.Deployment:
		return "Deployment"
	case *corev1.Service:
		return "Service"
	case *gwv1.HTTPRoute:
		return "HTTPRoute"
	case *autoscalingv2.HorizontalPodAutoscaler:
		return "HorizontalPodAutoscaler"
	default:
		return "Pod"
	}
}

// events passes an informer's notifications to its Cluster.
type events struct {
	k       *Cluster
	kind    string
	changed func(service string)
}

func (e events) OnAdd(obj any, _ bool) { e.seen(obj, false) }
func (e events) OnUpdate(_, obj any)   { e.seen(obj, false) }
func (e events) OnDelete(obj any) {
	if t, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	e.seen(obj, true)
}

func (e events) seen(obj any, gone bool) {
	o, ok := obj.(client.Object)
	if !ok {
		return
	}
	e.k.observed(e.kind, o, gone)
	if svc := o.GetLabels()[LabelService]; svc != "" && e.kind != "Pod" && e.changed != nil {
		e.changed(svc)
	}
}

// observed keeps the write memory true to what the informers see: a
// Deployment, Service or route gone that this Cluster did not delete,
// or a Deployment at other replicas than written once the cache caught
// up with that write, is forgotten (written again at the next pass).
func (k *Cluster) observed(kind string, o client.Object, gone bool) {
	name := o.GetName()
	k.mu.Lock()
	defer k.mu.Unlock()
	d, isDeployment := o.(*appsv1.Deployment)
	switch {
	case isDeployment && gone:
		if k.deleted[name] {
			delete(k.deleted, name)
			return
		}
		k.forgetRevision(name)
	case isDeployment:
		if g, ok := k.pending[name]; ok {
			if d.Generation < g {
				return // older than this Cluster's last write
			}
			delete(k.pending, name)
		}
		if want, ok := k.replicas[name]; ok && replicasOf(d) != want {
			k.forgetRevision(name)
		}
	case gone:
		delete(k.sent, kind+"/"+name)
	}
}

func replicasOf(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

// inFlight marks a Deployment write not yet answered: whatever the
// cache shows meanwhile is older.
const inFlight = math.MaxInt64

// ownWrites makes up for the cache's lag behind this Cluster's writes
// (it follows the API server's watch, a few milliseconds late): a
// Deployment written but not yet seen counts at its written replicas,
// not settled; one deleted but still cached is left out. Without it a
// pass right after a write would plan from the state before it.
func (k *Cluster) ownWrites(service string, ds []Deployed) []Deployed {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]Deployed, 0, len(ds))
	have := map[string]bool{}
	for _, d := range ds {
		name := RevisionName(d.Service, d.Revision)
		if k.deleted[name] {
			continue
		}
		have[name] = true
		if g, ok := k.pending[name]; ok && d.Generation < g {
			d.Replicas, d.Generation = k.replicas[name], g
		} else if ok {
			delete(k.pending, name) // seen (its event may have come before the write's answer)
		}
		out = append(out, d)
	}
	for name, g := range k.pending {
		n, err := strconv.Atoi(strings.TrimPrefix(name, service+"-r"))
		if have[name] || !ofService(name, service) || err != nil {
			continue
		}
		out = append(out, Deployed{Service: service, Revision: n, Replicas: k.replicas[name], Generation: g})
	}
	slices.SortFunc(out, func(a, b Deployed) int { return a.Revision - b.Revision })
	return out
}

// Synced reports whether reads come from the informers (Watch runs and
// they have synced).
func (k *Cluster) Synced() bool { return k.synced.Load() }
