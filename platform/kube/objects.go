package kube

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	appsac "k8s.io/client-go/applyconfigurations/apps/v1"
	coreac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/slipway-dev/slipway/spec"
)

// Labels Slipway puts on every object it writes; a restarted server
// finds its objects again by them.
const (
	LabelManagedBy   = "app.kubernetes.io/managed-by"
	LabelApp         = "slipway.dev/app"
	LabelService     = "slipway.dev/service"
	LabelRevision    = "slipway.dev/revision"
	LabelEnvironment = "slipway.dev/environment"
	// FieldManager is Slipway's field manager in server-side apply.
	FieldManager = "slipway"
	// Port is the port every instance listens on inside its pod; PORT
	// in its environment says so, as on one machine.
	Port = 8080
	// servicePort is the port of the Services routes send to.
	servicePort = 80
)

// Revision is one revision of a service in an environment: what
// becomes its Deployment and Service.
type Revision struct {
	App, Env, Service string
	Number            int
	// Spec is the service as the environment runs it (overrides merged),
	// its image pinned by digest.
	Spec *spec.Service
	// Replicas is how many pods run (the rollout decides: a canary's
	// candidate starts small, a scaled-down revision has 0). For an
	// autoscaled revision it is only the count handed to its
	// HorizontalPodAutoscaler when the Deployment is first written.
	Replicas int32
	// Autoscaled: the revision's HorizontalPodAutoscaler sizes it
	// (Spec.Scale's CPU target, see HPA), and Slipway's apply leaves the
	// Deployment's replicas out. AutoscaleFloor, when above Spec.Scale's
	// min, is the HPA's least count (a canary's stable revision keeps
	// what it runs).
	Autoscaled     bool
	AutoscaleFloor int32
	// MinReady is how long a pod must be ready to count as available
	// (the Deployment's minReadySeconds).
	MinReady time.Duration
	// SecretEnv are the revealed values of the env variables that
	// reference secrets: they go into the revision's Secret (EnvSecret),
	// which the pod's env references; never into the Deployment.
	SecretEnv map[string]string
}

// Name is the revision's Deployment and Service name, <service>-r<N>.
func (r Revision) Name() string { return RevisionName(r.Service, r.Number) }

// RevisionName is the name of revision n's Deployment and Service.
func RevisionName(service string, n int) string { return service + "-r" + strconv.Itoa(n) }

// labels are the revision's pods' (and objects') labels.
func (r Revision) labels() map[string]string {
	return map[string]string{LabelManagedBy: FieldManager, LabelApp: r.App, LabelService: r.Service,
		LabelRevision: strconv.Itoa(r.Number), LabelEnvironment: r.Env}
}

// selector picks the revision's pods; a Deployment's selector cannot
// change, so it holds only what never does.
func (r Revision) selector() map[string]string {
	return map[string]string{LabelService: r.Service, LabelRevision: strconv.Itoa(r.Number), LabelEnvironment: r.Env}
}

// CheckImage refuses an image a cluster would resolve by tag: a
// revision runs exactly the image its version recorded.
func CheckImage(service, ref string) error {
	if spec.ImageDigest(ref) == "" {
		return fmt.Errorf("%w: service %s: image %q names a tag, which may move; a Kubernetes revision needs a digest (repo@sha256:...): apply or push the version through Slipway, which pins it", ErrInvalid, service, ref)
	}
	return nil
}

// Deployment builds the revision's Deployment.
func Deployment(r Revision, namespace string) (*appsac.DeploymentApplyConfiguration, error) {
	if err := CheckImage(r.Service, r.Spec.Image); err != nil {
		return nil, err
	}
	pod := coreac.PodTemplateSpec().WithLabels(r.labels()).WithSpec(podSpec(r))
	ds := appsac.DeploymentSpec().WithSelector(metaSelector(r.selector())).WithTemplate(pod)
	if !r.Autoscaled { // else the HPA's: a value here would fight it
		ds.WithReplicas(r.Replicas)
	}
	if r.MinReady > 0 {
		ds.WithMinReadySeconds(seconds(r.MinReady))
	}
	return appsac.Deployment(r.Name(), namespace).WithLabels(r.labels()).WithSpec(ds), nil
}

func podSpec(r Revision) *coreac.PodSpecApplyConfiguration {
	s := r.Spec
	grace := int64(math.Ceil(s.StopGrace.Duration.Seconds()))
	ps := coreac.PodSpec().WithContainers(container(r)).
		WithAutomountServiceAccountToken(false).
		WithSecurityContext(coreac.PodSecurityContext().
			WithSeccompProfile(coreac.SeccompProfile().WithType(corev1.SeccompProfileTypeRuntimeDefault)))
	if s.StopGrace.Duration > 0 {
		ps.WithTerminationGracePeriodSeconds(grace)
	}
	return ps
}

func container(r Revision) *coreac.ContainerApplyConfiguration {
	s := r.Spec
	c := coreac.Container().WithName(s.Name).WithImage(s.Image).
		WithPorts(coreac.ContainerPort().WithName("http").WithContainerPort(Port).WithProtocol(corev1.ProtocolTCP)).
		WithEnv(envVars(r)...).
		WithSecurityContext(securityContext(s.User))
	if len(s.Command) > 0 {
		c.WithCommand(expandable(s.Command)...)
	}
	if rr := resources(s.Resources); rr != nil {
		c.WithResources(rr)
	}
	if p := probe(s.Health.Readiness); p != nil {
		c.WithReadinessProbe(p)
	}
	if p := probe(s.Health.Liveness); p != nil {
		c.WithLivenessProbe(p.WithSuccessThreshold(1)) // Kubernetes allows no other
	}
	return c
}

// securityContext runs the container as no root unless the spec says
// root, without privilege escalation or capabilities (Security).
func securityContext(user string) *coreac.SecurityContextApplyConfiguration {
	sc := coreac.SecurityContext().WithAllowPrivilegeEscalation(false).
		WithCapabilities(coreac.Capabilities().WithDrop("ALL"))
	switch uid, err := strconv.ParseInt(user, 10, 64); {
	case user == "root" || user == "0":
		sc.WithRunAsUser(0)
	case err == nil:
		sc.WithRunAsUser(uid).WithRunAsNonRoot(true)
	default:
		// A name means nothing outside the image; the image's user runs,
		// and the kubelet refuses to start it if that is root.
		sc.WithRunAsNonRoot(true)
	}
	return sc
}

// envVars is what an instance sees on one machine too (PORT and
// SLIPWAY_SERVICE, _REVISION, _ENVIRONMENT, _INSTANCE: the pod's name),
// then the spec's env, sorted (a stable apply).
func envVars(r Revision) []*coreac.EnvVarApplyConfiguration {
	out := []*coreac.EnvVarApplyConfiguration{
		coreac.EnvVar().WithName("PORT").WithValue(strconv.Itoa(Port)),
		coreac.EnvVar().WithName("SLIPWAY_SERVICE").WithValue(r.Service),
		coreac.EnvVar().WithName("SLIPWAY_REVISION").WithValue(strconv.Itoa(r.Number)),
		coreac.EnvVar().WithName("SLIPWAY_ENVIRONMENT").WithValue(r.Env),
		coreac.EnvVar().WithName("SLIPWAY_INSTANCE").WithValueFrom(coreac.EnvVarSource().
			WithFieldRef(coreac.ObjectFieldSelector().WithFieldPath("metadata.name"))),
	}
	env := r.Spec.Env
	for _, k := range sortedKeys(env) {
		switch {
		case reserved[k]:
		case spec.HasSecretRef(env[k]):
			out = append(out, coreac.EnvVar().WithName(k).WithValueFrom(coreac.EnvVarSource().
				WithSecretKeyRef(coreac.SecretKeySelector().WithName(SecretName(r)).WithKey(k))))
		default:
			out = append(out, coreac.EnvVar().WithName(k).WithValue(env[k]))
		}
	}
	return out
}

// SecretName is the name of a revision's Secret: <service>-r<N>-env. One
// per revision, as the secret versions are pinned per revision.
func SecretName(r Revision) string { return r.Name() + "-env" }

// EnvSecret builds the revision's Secret of the env variables that
// reference secrets (nil when none does). Every such variable must have
// its revealed value in r.SecretEnv: a pod must not start with the
// reference's text instead of the secret.
func EnvSecret(r Revision, namespace string) (*coreac.SecretApplyConfiguration, error) {
	keys := secretKeys(r)
	if len(keys) == 0 {
		return nil, nil
	}
	data := make(map[string][]byte, len(keys))
	for _, k := range keys {
		val, ok := r.SecretEnv[k]
		if !ok {
			return nil, fmt.Errorf("%w: service %s: env %s references a secret whose value was not revealed", ErrInvalid, r.Service, k)
		}
		data[k] = []byte(val)
	}
	return coreac.Secret(SecretName(r), namespace).WithLabels(r.labels()).
		WithType(corev1.SecretTypeOpaque).WithData(data), nil
}

// secretKeys are the env variables of r that reference secrets, sorted.
func secretKeys(r Revision) []string {
	var out []string
	for _, k := range sortedKeys(r.Spec.Env) {
		if !reserved[k] && spec.HasSecretRef(r.Spec.Env[k]) {
			out = append(out, k)
		}
	}
	return out
}

// reserved are the variables Slipway sets itself.
var reserved = map[string]bool{"PORT": true, "SLIPWAY_SERVICE": true, "SLIPWAY_REVISION": true,
	"SLIPWAY_ENVIRONMENT": true, "SLIPWAY_INSTANCE": true}

var specVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandable turns the spec's ${VAR} into Kubernetes' $(VAR), which the
// kubelet expands from the container's environment as Slipway does.
func expandable(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = specVar.ReplaceAllString(a, "$$($1)")
	}
	return out
}

// resources are requests equal to limits (Guaranteed when both are set):
// on one machine the spec's numbers are limits an instance may use.
func resources(r spec.Resources) *coreac.ResourceRequirementsApplyConfiguration {
	l := corev1.ResourceList{}
	if r.CPU > 0 {
		l[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(math.Ceil(r.CPU*1000)), resource.DecimalSI)
	}
	if r.Memory > 0 {
		l[corev1.ResourceMemory] = *resource.NewQuantity(int64(r.Memory), resource.BinarySI)
	}
	if len(l) == 0 {
		return nil
	}
	return coreac.ResourceRequirements().WithRequests(l).WithLimits(l)
}

func probe(p *spec.Probe) *coreac.ProbeApplyConfiguration {
	if p == nil {
		return nil
	}
	pr := coreac.Probe().WithPeriodSeconds(seconds(p.Interval.Duration)).WithTimeoutSeconds(seconds(p.Timeout.Duration))
	if p.FailureThreshold > 0 {
		pr.WithFailureThreshold(int32(p.FailureThreshold))
	}
	if p.SuccessThreshold > 0 {
		pr.WithSuccessThreshold(int32(p.SuccessThreshold))
	}
	if p.InitialDelay.Duration > 0 {
		pr.WithInitialDelaySeconds(seconds(p.InitialDelay.Duration))
	}
	switch {
	case p.HTTP != "":
		pr.WithHTTPGet(coreac.HTTPGetAction().WithPath(p.HTTP).WithPort(intstr.FromString("http")))
	case p.TCP:
		pr.WithTCPSocket(coreac.TCPSocketAction().WithPort(intstr.FromString("http")))
	case len(p.Exec) > 0:
		pr.WithExec(coreac.ExecAction().WithCommand(p.Exec...))
	}
	return pr
}

// seconds rounds up to whole seconds, at least 1 (Kubernetes' unit).
func seconds(d time.Duration) int32 {
	return int32(max(1, math.Ceil(d.Seconds())))
}
