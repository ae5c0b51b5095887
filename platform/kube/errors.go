package kube

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
)

// Errors by kind. Every error of Cluster wraps one of them (or is a
// context error), with what to do in its words.
var (
	// ErrUnavailable: the API server could not be reached (connection
	// refused or reset, no route, DNS, TLS, a request that got no
	// answer in time); retried with backoff.
	ErrUnavailable = errors.New("cluster unreachable")
	// ErrServerFailed: the API server answered but failed the request
	// (500 internal error, 503 unavailable, 504 or a server-side
	// timeout, 429 too many requests): it runs, something behind it
	// (etcd, a webhook it calls, an aggregated API) did not; retried
	// with backoff.
	ErrServerFailed = errors.New("the API server failed the request")
	// ErrNoKubeconfig: no cluster is configured as the environment
	// names it (no kubeconfig, or not that context); nothing was sent.
	ErrNoKubeconfig = errors.New("no such cluster in the kubeconfig")
	// ErrUnauthorized: the credentials were refused (401).
	ErrUnauthorized = errors.New("cluster refused the credentials")
	// ErrForbidden: RBAC forbids a verb (403).
	ErrForbidden = errors.New("forbidden by the cluster's RBAC")
	// ErrNoNamespace: the environment's namespace does not exist.
	ErrNoNamespace = errors.New("namespace missing")
	// ErrNoGatewayAPI: the cluster serves no HTTPRoute (Gateway API's
	// CRDs are not installed).
	ErrNoGatewayAPI = errors.New("Gateway API not installed")
	// ErrConflict: a field Slipway writes is owned by another field
	// manager; Slipway never forces it.
	ErrConflict = errors.New("conflict with another field manager")
	// ErrInvalid: the object cannot be written as asked (a tag where a
	// digest is required; the API server refused it as invalid).
	ErrInvalid = errors.New("invalid")
)

// classify wraps err from the API server in its kind, saying what was
// being done (what, e.g. "apply Deployment shop/order-r3") and what to
// do.
func classify(err error, what, namespace string) error {
	switch {
	case err == nil:
		return nil
	case apierrors.IsConflict(err):
		return fmt.Errorf("%s: %w: %s; Slipway does not force: remove that manager's fields (kubectl apply --server-side with its manager, or edit the object), or let Slipway own the object", what, ErrConflict, apiMessage(err))
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("%s: %w (401): check the kubeconfig user or the service account's token", what, ErrUnauthorized)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("%s: %w: %s; grant it (slipway kube manifests prints the Role Slipway needs)", what, ErrForbidden, apiMessage(err))
	case apierrors.IsNotFound(err) && isNamespaceNotFound(err, namespace):
		return fmt.Errorf("%s: %w: namespace %q does not exist; create it (kubectl create namespace %s) or change platform.kubernetes.namespace", what, ErrNoNamespace, namespace, namespace)
	case meta.IsNoMatchError(err) || strings.Contains(err.Error(), "the server could not find the requested resource"):
		return fmt.Errorf("%s: %w: the cluster serves no HTTPRoute; install Gateway API's CRDs (standard channel), or split traffic by replica counts without it (platform.kubernetes.traffic: replicas, gateway left out: blue/green switches exactly, a canary's weight becomes its share of the pods, to one pod's accuracy)", what, ErrNoGatewayAPI)
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		return fmt.Errorf("%s: %w: %s", what, ErrInvalid, apiMessage(err))
	case serverFailed(err):
		return fmt.Errorf("%s: %w (%d %s): %s; retried with backoff: a busy or restarting API server passes by itself, else read the API server's log (etcd, or the webhook the message names)", what, ErrServerFailed, apiCode(err), apierrors.ReasonForError(err), apiMessage(err))
	case unreachable(err):
		return fmt.Errorf("%s: %w: %v; check the server address of the kubeconfig context, or that the API server runs", what, ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func apiMessage(err error) string {
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		return s.Status().Message
	}
	return err.Error()
}

// isNamespaceNotFound tells a missing namespace from a missing object:
// a write into a namespace that does not exist is answered 404 with the
// namespace as the missing object.
func isNamespaceNotFound(err error, namespace string) bool {
	var s apierrors.APIStatus
	if !errors.As(err, &s) || s.Status().Details == nil {
		return false
	}
	d := s.Status().Details
	return d.Kind == "namespaces" && d.Name == namespace
}

// apiCode is the HTTP status the API server answered with (0: none).
func apiCode(err error) int32 {
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		return s.Status().Code
	}
	return 0
}

// serverFailed reports an answer of the API server saying it failed:
// by reason, or a 5xx status of a reason client-go does not name.
func serverFailed(err error) bool {
	return apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) || apierrors.IsTimeout(err) ||
		apierrors.IsServerTimeout(err) || apierrors.IsTooManyRequests(err) || apiCode(err) >= 500
}

// unreachable reports a request that got no answer from the API
// server: the transport failed (client-go wraps it in a *url.Error).
// An answer, even an error status, is never unreachable.
func unreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}

// Retryable reports whether an error may pass by itself: the cluster
// was unreachable, or its API server failed or was busy. Credentials,
// RBAC, a missing namespace or CRDs and conflicts need a person.
func Retryable(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrServerFailed)
}
