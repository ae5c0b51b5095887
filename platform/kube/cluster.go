package kube

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	appsac "k8s.io/client-go/applyconfigurations/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/router"
)

// Cluster writes and reads one environment's objects in its namespace.
// Writes are server-side applies with field manager "slipway", never
// forced; an object whose desired form has not changed since this
// Cluster last applied it is not sent again, so a canary step costs one
// request per object it changes. Safe for concurrent use.
type Cluster struct {
	c client.Client
	t Target
	// cache, when set, holds the environment's objects as informers
	// watch them (see Watch); reads go to it once synced.
	cache   cache.Cache
	synced  atomic.Bool
	handled map[string]bool // kinds whose informer has Watch's handler; Watch's own
	pods    podsClient      // reads pods' logs (nil: opened without one)

	mu sync.Mutex // guards sent, replicas, pending, deleted and scaled
	// sent maps an object key to the hash of the apply configuration
	// last written (a hash: a Secret's values are not kept).
	sent     map[string][sha256.Size]byte
	replicas map[string]int32 // Deployment name -> the replicas last written
	// pending maps a Deployment this Cluster wrote to the generation the
	// write returned, until the cache shows it (read your own writes).
	pending map[string]int64
	// deleted holds Deployments this Cluster deleted that the cache may
	// still hold.
	deleted map[string]bool
	// scaled maps a Deployment to whether this Cluster gave it an HPA
	// (absent: not known, the HPA is read when it matters).
	scaled map[string]bool
}

// NewCluster returns the cluster of target t, reached through c, which
// it reads directly (Watched gives one that reads from informers).
func NewCluster(c client.Client, t Target) *Cluster {
	return &Cluster{c: c, t: t, sent: map[string][sha256.Size]byte{}, replicas: map[string]int32{},
		pending: map[string]int64{}, deleted: map[string]bool{}, scaled: map[string]bool{}}
}

// reader is where reads go: the informers' cache once synced, else the
// API server.
func (k *Cluster) reader() client.Reader {
	if k.synced.Load() {
		return k.cache
	}
	return k.c
}

// Target returns where the cluster's objects go.
func (k *Cluster) Target() Target { return k.t }

// ApplyRevision writes a revision's Deployment (with r.Replicas), its
// Service and the service's stable Service, at once (its Secret first).
// A tag where a digest is required is refused before anything is
// written.
func (k *Cluster) ApplyRevision(ctx context.Context, r Revision) error {
	r.App, r.Env = k.t.App, k.t.Env
	d, err := Deployment(r, k.t.Namespace)
	if err != nil {
		return err
	}
	name := r.Name()
	sec, err := EnvSecret(r, k.t.Namespace)
	if err != nil {
		return err
	}
	if sec != nil { // before the Deployment: its pods need it to start
		if _, err := k.apply(ctx, "Secret", SecretName(r), sec, nil); err != nil {
			return err
		}
	}
	// The Deployment and the Services depend on nothing of each other:
	// they go at once (a pass's latency is one request, not three); the
	// route, which names the Services, comes after (ApplyRoute).
	var wg sync.WaitGroup
	var svcErr, stableErr error
	wg.Go(func() { _, svcErr = k.apply(ctx, "Service", name, RevisionService(r, k.t.Namespace), nil) })
	if !k.t.ByReplicas { // else the stable Service's selector is the split: ApplyRoute writes it
		wg.Go(func() { _, stableErr = k.apply(ctx, "Service", r.Service, StableService(k.t, r.Service), nil) })
	}
	if r.Autoscaled {
		err = k.applyAutoscaled(ctx, r, d)
	} else {
		err = k.applySized(ctx, r, d)
	}
	wg.Wait()
	return cmp.Or(err, svcErr, stableErr) // one cause is enough to say (a missing namespace fails all three)
}

// applySized writes the Deployment of a revision Slipway sizes, taking
// its replicas back from an HPA that sized it until now (see takeBack).
func (k *Cluster) applySized(ctx context.Context, r Revision, d *appsac.DeploymentApplyConfiguration) error {
	name := r.Name()
	took := false
	if r.Spec.Scale != nil { // only such a revision can have had an HPA
		var err error
		if took, err = k.takeBack(ctx, r); err != nil {
			return err
		}
	}
	sent, err := k.apply(ctx, "Deployment", name, d, func() {
		k.replicas[name] = r.Replicas
		delete(k.deleted, name)
		if k.cache != nil {
			k.pending[name] = inFlight
		}
	})
	if err != nil {
		return err
	}
	if sent && k.cache != nil && d.Generation != nil {
		k.mu.Lock()
		k.pending[name] = *d.Generation
		k.mu.Unlock()
	}
	if took {
		return k.letGo(ctx, name)
	}
	return nil
}

// ApplyRoute writes a service's traffic split from its entry in the
// traffic policy: its HTTPRoute (see HTTPRoute), the whole route every
// step; split by replicas, its stable Service's selector (see
// ReplicaService), which the controller asks for every service, routed
// (a host or a path) or not.
func (k *Cluster) ApplyRoute(ctx context.Context, r router.Route) error {
	if k.t.ByReplicas {
		_, err := k.apply(ctx, "Service", r.Service, ReplicaService(k.t, r), nil)
		return err
	}
	_, err := k.apply(ctx, "HTTPRoute", r.Service, HTTPRoute(k.t, r), nil)
	return err
}

// apply writes one object unless it is as this Cluster last wrote it,
// and reports whether it wrote; obj then holds the cluster's answer.
// sending, if not nil, runs (k.mu held) before a write is sent.
func (k *Cluster) apply(ctx context.Context, kind, name string, obj runtime.ApplyConfiguration, sending func()) (bool, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return false, fmt.Errorf("apply %s %s/%s: %w", kind, k.t.Namespace, name, err)
	}
	key := kind + "/" + name
	sum := sha256.Sum256(b)
	k.mu.Lock()
	was, ok := k.sent[key]
	same := ok && was == sum
	if !same && sending != nil {
		sending()
	}
	k.mu.Unlock()
	if same {
		return false, nil
	}
	what := fmt.Sprintf("apply %s %s/%s", kind, k.t.Namespace, name)
	if err := k.c.Apply(ctx, obj, client.FieldOwner(FieldManager)); err != nil {
		k.mu.Lock()
		delete(k.sent, key)
		if kind == "Deployment" {
			k.forgetRevision(name)
		}
		k.mu.Unlock()
		return false, classify(err, what, k.t.Namespace)
	}
	k.mu.Lock()
	k.sent[key] = sum
	k.mu.Unlock()
	return true, nil
}

func (k *Cluster) forget(key string) {
	k.mu.Lock()
	delete(k.sent, key)
	k.mu.Unlock()
}

// ofService reports whether name is a revision name of service.
func ofService(name, service string) bool {
	n, ok := strings.CutPrefix(name, service+"-r")
	_, err := strconv.Atoi(n)
	return ok && err == nil
}

// forgetDrift forgets the writes of service's Deployments (and their
// Services) that the cluster no longer holds as written: seen maps
// each Deployment found to its replicas.
func (k *Cluster) forgetDrift(service string, seen map[string]int32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for name, want := range k.replicas {
		if got, ok := seen[name]; (!ok || got != want) && ofService(name, service) {
			k.forgetRevision(name)
		}
	}
}

// DeleteRevision removes a revision's Deployment, Service and Secret
// (its pods go with the Deployment). Gone already is not an error.
func (k *Cluster) DeleteRevision(ctx context.Context, service string, n int) error {
	name := RevisionName(service, n)
	k.mu.Lock()
	k.forgetRevision(name)
	if k.cache != nil {
		k.deleted[name] = true // before the request: its event may come before the answer
	}
	k.mu.Unlock()
	in := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: k.t.Namespace, Name: name} }
	for _, o := range []client.Object{&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: in(name)},
		&appsv1.Deployment{ObjectMeta: in(name)}, &corev1.Service{ObjectMeta: in(name)},
		&corev1.Secret{ObjectMeta: in(SecretName(Revision{Service: service, Number: n}))}} {
		if err := client.IgnoreNotFound(k.c.Delete(ctx, o)); err != nil {
			k.mu.Lock()
			delete(k.deleted, name)
			k.mu.Unlock()
			return classify(err, fmt.Sprintf("delete %T %s/%s", o, k.t.Namespace, o.GetName()), k.t.Namespace)
		}
	}
	return nil
}

// forgetRevision forgets the writes of a revision's Deployment, Service
// and Secret; k.mu is held.
func (k *Cluster) forgetRevision(name string) {
	delete(k.sent, "Deployment/"+name)
	delete(k.sent, "Service/"+name)
	delete(k.sent, "Secret/"+name+"-env")
	delete(k.sent, "HorizontalPodAutoscaler/"+name)
	delete(k.scaled, name)
	delete(k.replicas, name)
	delete(k.pending, name)
}

// selector picks the environment's objects (one service's when service
// is not "").
func (k *Cluster) selector(service string) client.MatchingLabels {
	l := client.MatchingLabels{LabelManagedBy: FieldManager, LabelEnvironment: k.t.Env}
	if service != "" {
		l[LabelService] = service
	}
	return l
}
