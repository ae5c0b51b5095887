package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Deployed is one revision's Deployment as the cluster reports it: how
// a restarted server finds what it had written.
type Deployed struct {
	Service  string
	Revision int
	// Replicas is the desired count; Available (ready for
	// minReadySeconds) and Updated the Deployment controller's counts.
	Replicas, Available, Updated int32
	// Generation and Observed tell whether the Deployment controller has
	// seen the latest spec.
	Generation, Observed int64
}

// Settled reports whether the Deployment controller has seen the
// latest spec and every pod runs it: until then Available may count
// pods of an earlier spec.
func (d Deployed) Settled() bool {
	return d.Observed >= d.Generation && d.Updated == d.Replicas
}

// Revisions lists the environment's revisions (one service's when
// service is not ""), by service then number. Readiness is the
// Deployment's status (availableReplicas), which the Deployment
// controller keeps from its pods' Ready conditions.
func (k *Cluster) Revisions(ctx context.Context, service string) ([]Deployed, error) {
	var l appsv1.DeploymentList
	if err := k.reader().List(ctx, &l, client.InNamespace(k.t.Namespace), k.selector(service)); err != nil {
		return nil, classify(err, "list Deployments in "+k.t.Namespace, k.t.Namespace)
	}
	out := make([]Deployed, 0, len(l.Items))
	for _, d := range l.Items {
		var want int32 = 1
		if d.Spec.Replicas != nil {
			want = *d.Spec.Replicas
		}
		out = append(out, Deployed{Service: d.Labels[LabelService], Revision: revisionOf(d.Labels),
			Replicas: want, Available: d.Status.AvailableReplicas, Updated: d.Status.UpdatedReplicas,
			Generation: d.Generation, Observed: d.Status.ObservedGeneration})
	}
	slices.SortFunc(out, func(a, b Deployed) int {
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return a.Revision - b.Revision
	})
	return out, nil
}

// Instance is a pod of a revision, as `slipway status` lists it.
type Instance struct {
	Pod      string
	Service  string
	Revision int
	Node     string
	Phase    corev1.PodPhase
	// Ready is the pod's Ready condition: its readiness probe passes.
	Ready    bool
	Restarts int32
	// Message says why a container is not running (waiting: its reason
	// and message, like ImagePullBackOff; last terminated: its reason and
	// exit code), "" when all run.
	Message string
	// Started is when the pod started (zero before the kubelet has it).
	Started time.Time
}

// Instances lists a service's pods ("" for every service), by name.
func (k *Cluster) Instances(ctx context.Context, service string) ([]Instance, error) {
	var l corev1.PodList
	if err := k.reader().List(ctx, &l, client.InNamespace(k.t.Namespace), k.selector(service)); err != nil {
		return nil, classify(err, fmt.Sprintf("list pods in %s", k.t.Namespace), k.t.Namespace)
	}
	out := make([]Instance, 0, len(l.Items))
	for _, p := range l.Items {
		in := Instance{Pod: p.Name, Service: p.Labels[LabelService], Revision: revisionOf(p.Labels),
			Node: p.Spec.NodeName, Phase: p.Status.Phase}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodReady {
				in.Ready = c.Status == corev1.ConditionTrue
			}
		}
		for _, cs := range p.Status.ContainerStatuses {
			in.Restarts += cs.RestartCount
			if m := containerMessage(cs); m != "" && in.Message == "" {
				in.Message = m
			}
		}
		if p.Status.StartTime != nil {
			in.Started = p.Status.StartTime.Time
		}
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b Instance) int { return strings.Compare(a.Pod, b.Pod) })
	return out, nil
}

// containerMessage says why a container does not run, from its status:
// waiting (with the reason the kubelet gives), or terminated (with its
// exit code); a running container after restarts names its last exit.
func containerMessage(cs corev1.ContainerStatus) string {
	switch st := cs.State; {
	case st.Waiting != nil:
		return strings.TrimSuffix(cs.Name+": "+st.Waiting.Reason+": "+st.Waiting.Message, ": ")
	case st.Terminated != nil:
		return fmt.Sprintf("%s: %s (exit %d)", cs.Name, st.Terminated.Reason, st.Terminated.ExitCode)
	case cs.LastTerminationState.Terminated != nil:
		t := cs.LastTerminationState.Terminated
		return fmt.Sprintf("%s: last exit %s (exit %d)", cs.Name, t.Reason, t.ExitCode)
	}
	return ""
}
