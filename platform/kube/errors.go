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
	// ErrUnavailable: the API server could not be reached (refused,
	// timed out, 5xx); retried with backoff.
	ErrUnavailable = errors.New("cluster unreachable")
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

func unreachable(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue) || apierrors.IsServiceUnavailable(err) ||
		apierrors.IsInternalError(err) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err)
}

// Retryable reports whether an error may pass by itself: the cluster
// was unreachable or busy. Credentials, RBAC, a missing namespace or
// CRDs and conflicts need a person, and are retried at the longest
// backoff only.
func Retryable(err error) bool { return errors.Is(err, ErrUnavailable) }
