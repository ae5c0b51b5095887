package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	appsac "k8s.io/client-go/applyconfigurations/apps/v1"
	coreac "k8s.io/client-go/applyconfigurations/core/v1"
	rbacac "k8s.io/client-go/applyconfigurations/rbac/v1"
	"sigs.k8s.io/yaml"
)

// Install says where the server runs inside a cluster and which
// namespaces it drives (its Kubernetes environments').
type Install struct {
	// Namespace holds the server: its Deployment, ServiceAccount, data
	// volume and API Service.
	Namespace string
	// Image is the server's image (slipway).
	Image string
	// Drives are the namespaces of the environments it runs: each gets
	// a Role with Rules and a RoleBinding to the server's account.
	Drives []string
}

// installName names the server's objects.
const installName = "slipway"

// installPort is the API's port in the pod and on its Service.
const installPort = 7400

// Rules are what a Cluster does in an environment's namespace, verb by
// verb, and nothing more (the Role of InstallManifests): server-side
// apply is a patch (create when the object is new), informers list and
// watch, Logs gets a pod and its log (a pod, directly, until the
// informers have synced), take-downs list what Slipway applied and
// delete it. Secrets are written, listed and deleted, never watched.
// TestInstallRoleIsSufficient checks each verb is needed and that they
// suffice, on a real API server.
func Rules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "list", "watch", "create", "patch", "delete"}},
		{APIGroups: []string{"autoscaling"}, Resources: []string{"horizontalpodautoscalers"}, Verbs: []string{"get", "list", "watch", "create", "patch", "delete"}},
		{APIGroups: []string{""}, Resources: []string{"services"}, Verbs: []string{"list", "watch", "create", "patch", "delete"}},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"list", "create", "patch", "delete"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods/log"}, Verbs: []string{"get"}},
		{APIGroups: []string{"gateway.networking.k8s.io"}, Resources: []string{"httproutes"}, Verbs: []string{"list", "watch", "create", "patch", "delete"}},
	}
}

// InstallManifests renders, as YAML documents, what runs the server
// inside a cluster: its Namespace, ServiceAccount, a volume for its data
// (the store is SQLite: one server, so the Deployment recreates rather
// than surges), the Deployment, a Service for its API, and for each
// driven namespace a Role with Rules bound to the ServiceAccount. The
// server then finds the cluster by its in-cluster configuration.
// Deterministic: the same Install gives the same bytes.
func InstallManifests(in Install) ([]byte, error) {
	if err := checkInstall(in); err != nil {
		return nil, err
	}
	labels := map[string]string{"app.kubernetes.io/name": installName}
	ns := in.Namespace
	docs := []any{
		coreac.Namespace(ns).WithLabels(labels),
		coreac.ServiceAccount(installName, ns).WithLabels(labels),
		coreac.PersistentVolumeClaim(installName+"-data", ns).WithLabels(labels).WithSpec(coreac.PersistentVolumeClaimSpec().
			WithAccessModes("ReadWriteOnce").
			WithResources(coreac.VolumeResourceRequirements().WithRequests(corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}))),
		serverDeployment(in, labels),
		coreac.Service(installName, ns).WithLabels(labels).WithSpec(coreac.ServiceSpec().
			WithSelector(map[string]string{"app.kubernetes.io/name": installName}).
			WithPorts(coreac.ServicePort().WithName("api").WithPort(installPort).WithTargetPort(intstr.FromString("api")))),
	}
	for _, d := range slices.Sorted(slices.Values(in.Drives)) {
		role := rbacac.Role(installName, d).WithLabels(labels)
		for _, r := range Rules() {
			role.WithRules(rbacac.PolicyRule().WithAPIGroups(r.APIGroups...).WithResources(r.Resources...).WithVerbs(r.Verbs...))
		}
		docs = append(docs, role, rbacac.RoleBinding(installName, d).WithLabels(labels).
			WithRoleRef(rbacac.RoleRef().WithAPIGroup(rbacv1.GroupName).WithKind("Role").WithName(installName)).
			WithSubjects(rbacac.Subject().WithKind(rbacv1.ServiceAccountKind).WithName(installName).WithNamespace(ns)))
	}
	var out bytes.Buffer
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("install manifests: %w", err)
		}
		y, err := yaml.JSONToYAML(b)
		if err != nil {
			return nil, fmt.Errorf("install manifests: %w", err)
		}
		out.WriteString("---\n")
		out.Write(y)
	}
	return out.Bytes(), nil
}

func checkInstall(in Install) error {
	if len(validation.IsDNS1123Label(in.Namespace)) > 0 {
		return fmt.Errorf("%w: namespace %q: want a DNS label like slipway", ErrInvalid, in.Namespace)
	}
	if in.Image == "" {
		return fmt.Errorf("%w: the server's image is required (--image registry.example/slipway@sha256:...)", ErrInvalid)
	}
	if len(in.Drives) == 0 {
		return fmt.Errorf("%w: no namespace to drive: the server needs a Kubernetes environment", ErrInvalid)
	}
	for _, d := range in.Drives {
		if len(validation.IsDNS1123Label(d)) > 0 {
			return fmt.Errorf("%w: namespace %q to drive: want a DNS label", ErrInvalid, d)
		}
	}
	return nil
}

// serverDeployment runs one server as an unprivileged user, its data on
// the volume, its API on the pod's address (every request but the
// health check takes a token: DATA/admin.token holds the admin one).
func serverDeployment(in Install, labels map[string]string) *appsac.DeploymentApplyConfiguration {
	const data = "/var/lib/slipway"
	c := coreac.Container().WithName("server").WithImage(in.Image).
		WithArgs("server", "--data", data, "--api", fmt.Sprintf("0.0.0.0:%d", installPort)).
		WithPorts(coreac.ContainerPort().WithName("api").WithContainerPort(installPort)).
		WithReadinessProbe(coreac.Probe().WithHTTPGet(coreac.HTTPGetAction().WithPath("/v1/health").WithPort(intstr.FromString("api")))).
		WithVolumeMounts(coreac.VolumeMount().WithName("data").WithMountPath(data)).
		WithSecurityContext(coreac.SecurityContext().WithAllowPrivilegeEscalation(false).WithReadOnlyRootFilesystem(true).
			WithCapabilities(coreac.Capabilities().WithDrop("ALL")))
	pod := coreac.PodSpec().WithServiceAccountName(installName).WithContainers(c).
		WithSecurityContext(coreac.PodSecurityContext().WithRunAsNonRoot(true).WithRunAsUser(65532).WithFSGroup(65532).
			WithSeccompProfile(coreac.SeccompProfile().WithType("RuntimeDefault"))).
		WithVolumes(coreac.Volume().WithName("data").WithPersistentVolumeClaim(coreac.PersistentVolumeClaimVolumeSource().WithClaimName(installName + "-data")))
	sel := map[string]string{"app.kubernetes.io/name": installName}
	return appsac.Deployment(installName, in.Namespace).WithLabels(labels).WithSpec(appsac.DeploymentSpec().
		WithReplicas(1).WithSelector(metaSelector(sel)).
		WithStrategy(appsac.DeploymentStrategy().WithType("Recreate")).
		WithTemplate(coreac.PodTemplateSpec().WithLabels(labels).WithSpec(pod)))
}
