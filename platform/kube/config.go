package kube

import (
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/slipway-dev/slipway/spec"
)

// RESTConfig finds the cluster of a Kubernetes environment as kubectl
// does: inside a pod with no context named, the in-cluster config (the
// pod's service account); else the kubeconfig files of $KUBECONFIG or
// ~/.kube/config, at k.Context or their current context.
func RESTConfig(k *spec.Kubernetes) (*rest.Config, error) {
	if k.Context == "" {
		if c, err := rest.InClusterConfig(); err == nil {
			return c, nil
		}
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	over := &clientcmd.ConfigOverrides{CurrentContext: k.Context}
	c, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, over).ClientConfig()
	if err != nil {
		ctx := k.Context
		if ctx == "" {
			ctx = "the current context"
		}
		return nil, fmt.Errorf("kubeconfig (%s): %w: %v; name a context of kubectl config get-contexts in platform.kubernetes.context", ctx, ErrUnavailable, err)
	}
	c.UserAgent = "slipway"
	return c, nil
}
