package workload

import (
	"context"
	"time"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
)

// Platform runs whole revisions where the platform keeps a revision's
// instances itself (a Kubernetes Deployment replaces its own pods): the
// controller decides how many instances each revision has and how
// traffic splits, the platform makes it so. platform/kube implements it.
// The controller uses a Platform instead of a Driver for an environment
// whose spec names one; the rollout logic above it is the same.
type Platform interface {
	// Deploy writes revision r.Number of r.Service to run r.Replicas
	// instances (0 keeps the revision's objects with no instance). It
	// returns once the platform took the request, not once instances
	// are ready; writing what is already there changes nothing.
	Deploy(ctx context.Context, r Revision) error
	// Route writes a service's traffic split: rollout.Routes' entry for
	// it (weights by revision, preview and pinning headers). Its
	// Backends are not used: the platform finds instances itself.
	Route(ctx context.Context, r router.Route) error
	// Observe returns the revisions of service the platform runs, by
	// number, including ones an earlier server wrote (adopted).
	Observe(ctx context.Context, service string) ([]RevisionStatus, error)
	// Delete removes one revision and its instances; a revision that is
	// not there is no error.
	Delete(ctx context.Context, service string, revision int) error
	// Remove removes what the service has beside its revisions (its
	// route, its stable address), once it is removed from the spec.
	Remove(ctx context.Context, service string) error
}

// Revision is what a Platform runs for one revision of a service.
type Revision struct {
	Service string
	Number  int
	// Spec is the revision's service spec, its image pinned by digest.
	Spec *spec.Service
	// Replicas is how many instances run. For an Autoscaled revision it
	// is only the count the platform's autoscaler starts from.
	Replicas int
	// Autoscaled: the platform sizes the revision itself within
	// Spec.Scale's bounds (a HorizontalPodAutoscaler on CPU), and the
	// controller only reads the count it chose. AutoscaleFloor, when
	// above Spec.Scale's min, is the least count it may choose (a
	// canary's stable revision keeps what it runs: a rollback needs no
	// capacity).
	Autoscaled     bool
	AutoscaleFloor int
	// MinReady is how long an instance must be ready to count as
	// available (the rolling strategy's minReady).
	MinReady time.Duration
	// SecretEnv are the values of the env variables that reference
	// secrets (${secret.NAME}), revealed at the versions the revision
	// pinned: the platform keeps them as secrets; never logged.
	SecretEnv map[string]string
}

// RevisionStatus is a revision as its platform reports it.
type RevisionStatus struct {
	Revision int
	// Replicas is the instance count last written.
	Replicas int
	// Available counts instances of the revision's latest spec that are
	// ready (for MinReady).
	Available int
	// Settled: the platform has acted on the latest write (a
	// Deployment's observedGeneration caught up) and every instance runs
	// the latest spec; until then Available may count old ones.
	Settled bool
}
