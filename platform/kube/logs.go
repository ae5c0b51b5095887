package kube

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrNoPod: the environment has no pod of that name (or it is not one
// Slipway wrote).
var ErrNoPod = errors.New("no such pod")

// maxLogLine bounds one line read from a pod's log.
const maxLogLine = 1 << 20

// Logs returns the last n lines of a pod's log (its first container:
// the service's), read through the API server, which asks the kubelet
// of the pod's node. A pod that is not the environment's is ErrNoPod; a
// pod with no node yet, or whose kubelet cannot be reached, is
// ErrUnavailable saying which.
func (k *Cluster) Logs(ctx context.Context, pod string, n int) ([]string, error) {
	var p corev1.Pod
	err := k.reader().Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: pod}, &p)
	if apierrors.IsNotFound(err) || (err == nil && (p.Labels[LabelManagedBy] != FieldManager || p.Labels[LabelEnvironment] != k.t.Env)) {
		return nil, fmt.Errorf("logs of %s: %w in namespace %s (slipway status lists the environment's pods)", pod, ErrNoPod, k.t.Namespace)
	}
	if err != nil {
		return nil, classify(err, "read pod "+pod, k.t.Namespace)
	}
	if p.Spec.NodeName == "" {
		return nil, fmt.Errorf("logs of %s: %w: the pod has no node yet (not scheduled), so no kubelet has its log", pod, ErrUnavailable)
	}
	if k.pods == nil {
		return nil, fmt.Errorf("logs of %s: %w: this cluster was opened without a log client", pod, ErrUnavailable)
	}
	tail := int64(n)
	opts := &corev1.PodLogOptions{TailLines: &tail}
	if len(p.Spec.Containers) > 0 {
		opts.Container = p.Spec.Containers[0].Name
	}
	rc, err := k.pods.Pods(k.t.Namespace).GetLogs(pod, opts).Stream(ctx)
	if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) { // refused by the API server, not its kubelet
		return nil, classify(err, "read the log of pod "+pod, k.t.Namespace)
	}
	if err != nil {
		return nil, fmt.Errorf("logs of %s: %w: the API server could not read them from the kubelet of node %s: %s", pod, ErrUnavailable, p.Spec.NodeName, apiMessage(err))
	}
	defer rc.Close()
	var lines []string
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), maxLogLine)
	for sc.Scan() {
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return lines, fmt.Errorf("logs of %s: %w: %v", pod, ErrUnavailable, err)
	}
	return lines, nil
}

// podsClient is what Logs needs of client-go's typed client.
type podsClient = typedcorev1.PodsGetter
