package kube

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

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
		return nil, fmt.Errorf("kubeconfig (%s): %w: %v; name a context of kubectl config get-contexts in platform.kubernetes.context", ctx, ErrNoKubeconfig, err)
	}
	c.UserAgent = "slipway"
	return c, nil
}

// Scheme knows the kinds a Cluster writes and reads: Kubernetes'
// built-in ones and Gateway API's.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := errors.Join(clientgoscheme.AddToScheme(s), gwv1.Install(s)); err != nil {
		panic(err) // static registrations: cannot fail
	}
	return s
}

// Open returns the Cluster of a Kubernetes environment env of app:
// found as kubectl finds it (RESTConfig), read through informers once
// its Watch runs (Watched). It does no I/O: an unreachable cluster shows
// in the Cluster's errors.
func Open(app, env string, k *spec.Kubernetes) (*Cluster, error) {
	cfg, err := RESTConfig(k)
	if err != nil {
		return nil, err
	}
	return Watched(cfg, Target{App: app, Env: env, Namespace: k.Namespace, Gateway: k.Gateway,
		ByReplicas: k.SplitsByReplicas()})
}
