package kube

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/slipway-dev/slipway/platform/kube/kubetest"
	"github.com/slipway-dev/slipway/spec"
)

// answering returns a client of an HTTP server that answers every
// request with status code and a Status of reason and message, as an
// API server that failed does; a request that gets no answer within
// 2 s (hang) fails on the client's timeout. The mapper is static: no
// discovery request comes first.
func answering(t *testing.T, code int, reason metav1.StatusReason, message string, hang bool) client.Client {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang {
			select {
			case <-stop:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status: metav1.StatusFailure, Code: int32(code), Reason: reason, Message: message})
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	m := meta.NewDefaultRESTMapper(nil)
	for _, gvk := range []string{"Deployment", "Service", "Secret"} {
		g := corev1.SchemeGroupVersion.WithKind(gvk)
		if gvk == "Deployment" {
			g = appsv1.SchemeGroupVersion.WithKind(gvk)
		}
		m.Add(g, meta.RESTScopeNamespace)
	}
	c, err := client.New(&rest.Config{Host: srv.URL, Timeout: 2 * time.Second}, client.Options{Scheme: kubetest.Scheme(), Mapper: m})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClassifyAnswers: an API server that answers with an error status
// is never "unreachable": it failed (5xx, 429) and says why, or the
// request got no answer at all. Real answers of a real HTTP server,
// through client-go, as an API server in trouble sends them.
func TestClassifyAnswers(t *testing.T) {
	for _, c := range []struct {
		name    string
		code    int
		reason  metav1.StatusReason
		message string
		hang    bool
		want    error
		says    []string
	}{
		{name: "internal error", code: 500, reason: metav1.StatusReasonInternalError, message: "etcdserver: request timed out",
			want: ErrServerFailed, says: []string{"failed the request (500 InternalError)", "etcdserver: request timed out", "retried"}},
		{name: "service unavailable", code: 503, reason: metav1.StatusReasonServiceUnavailable, message: "the server is shutting down",
			want: ErrServerFailed, says: []string{"(503 ServiceUnavailable)", "the server is shutting down"}},
		{name: "gateway timeout", code: 504, reason: metav1.StatusReasonTimeout, message: "request did not complete within 60s",
			want: ErrServerFailed, says: []string{"(504 Timeout)", "did not complete within 60s"}},
		{name: "server timeout", code: 500, reason: metav1.StatusReasonServerTimeout, message: "the server cannot complete the requested operation at this time",
			want: ErrServerFailed, says: []string{"(500 ServerTimeout)"}},
		{name: "too many requests", code: 429, reason: metav1.StatusReasonTooManyRequests, message: "too many requests, please try again later",
			want: ErrServerFailed, says: []string{"(429 TooManyRequests)"}},
		{name: "a 5xx of no known reason", code: 502, message: "bad gateway from the aggregated API",
			want: ErrServerFailed, says: []string{"(502 ", "bad gateway from the aggregated API"}},
		{name: "no answer in time", hang: true,
			want: ErrUnavailable, says: []string{"cluster unreachable", "that the API server runs"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := NewCluster(answering(t, c.code, c.reason, c.message, c.hang), Target{App: "shop", Env: "prod", Namespace: "shop"})
			err := k.ApplyRevision(context.Background(), orderRevision())
			if !errors.Is(err, c.want) || !Retryable(err) {
				t.Fatalf("err = %v; want %v, retryable", err, c.want)
			}
			other := ErrUnavailable
			if c.want == ErrUnavailable {
				other = ErrServerFailed
			}
			if errors.Is(err, other) {
				t.Errorf("err = %v; is also %v", err, other)
			}
			for _, s := range c.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("err = %v; want it to say %q", err, s)
				}
			}
		})
	}
}

// TestFailingWebhookIsNotUnreachable: a real API server whose
// validating webhook cannot be called answers 500 InternalError; that
// is the API server failing (its message names the webhook), not the
// cluster being unreachable.
func TestFailingWebhookIsNotUnreachable(t *testing.T) {
	k, c, _ := namespace(t, sharedEnv(t))
	ctx := context.Background()
	ns := &corev1.Namespace{}
	if err := c.Get(ctx, client.ObjectKey{Name: k.t.Namespace}, ns); err != nil {
		t.Fatal(err)
	}
	ns.Labels = map[string]string{"slipway-test": "webhook-down"}
	if err := c.Update(ctx, ns); err != nil {
		t.Fatal(err)
	}
	fail, none, timeout := admissionv1.Fail, admissionv1.SideEffectClassNone, int32(2)
	url := "https://127.0.0.1:1/validate" // nothing listens there
	wh := &admissionv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: "down-" + k.t.Namespace},
		Webhooks: []admissionv1.ValidatingWebhook{{
			Name: "down.slipway.test", ClientConfig: admissionv1.WebhookClientConfig{URL: &url},
			Rules: []admissionv1.RuleWithOperations{{Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
				Rule: admissionv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments"}}}},
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: ns.Labels},
			FailurePolicy:           &fail,
			SideEffects:             &none,
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          &timeout,
		}}}
	if err := c.Create(ctx, wh); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Delete(context.Background(), wh) })
	// The API server reads webhook configurations through its own
	// informer: the first applies may pass before it knows this one.
	var err error
	kubetest.Eventually(t, "the webhook called", func() bool {
		r := orderRevision()
		r.Replicas++ // a new form each try: the write memory would skip a repeat
		err = k.ApplyRevision(ctx, r)
		return err != nil
	}, func() string { return "no error" })
	if !errors.Is(err, ErrServerFailed) || errors.Is(err, ErrUnavailable) || !Retryable(err) {
		t.Fatalf("err = %v; want the API server's failure, retryable, not unreachable", err)
	}
	for _, s := range []string{"(500 InternalError)", "down.slipway.test", "apply Deployment " + k.t.Namespace + "/order-r3"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("err = %v; want it to say %q", err, s)
		}
	}
}

// TestStoppedAPIServerIsUnreachable: once the API server a client
// talked to has stopped, a write gets no answer: unreachable,
// retryable, saying to check that it runs.
func TestStoppedAPIServerIsUnreachable(t *testing.T) {
	e, cfg, err := kubetest.Start(kubetest.Assets(t), false)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Timeout = 5 * time.Second
	c, _ := newClient(t, cfg)
	k := NewCluster(c, Target{App: "shop", Env: "prod", Namespace: "default"})
	ctx := context.Background()
	r := orderRevision()
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	r.Replicas = 2
	err = k.ApplyRevision(ctx, r)
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrServerFailed) || !Retryable(err) {
		t.Fatalf("err = %v; want unreachable, retryable", err)
	}
	if !strings.Contains(err.Error(), "that the API server runs") {
		t.Errorf("err = %v; want what to check", err)
	}
}

// TestKubeconfigWithoutTheContext: a context the kubeconfig lacks is a
// configuration to fix, not an unreachable cluster: it says which
// context and where to name another, and is not retried.
func TestKubeconfigWithoutTheContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	conf := `apiVersion: v1
kind: Config
clusters: [{name: dev, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: dev, user: {token: t}}]
contexts: [{name: dev, context: {cluster: dev, user: dev}}]
current-context: dev
`
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", path)
	if _, err := RESTConfig(&spec.Kubernetes{Context: "dev", Namespace: "shop"}); err != nil {
		t.Fatalf("context dev: %v", err)
	}
	_, err := RESTConfig(&spec.Kubernetes{Context: "prod-cluster", Namespace: "shop"})
	if !errors.Is(err, ErrNoKubeconfig) || errors.Is(err, ErrUnavailable) || Retryable(err) {
		t.Fatalf("err = %v; want no such cluster, not unreachable, not retried", err)
	}
	for _, s := range []string{"prod-cluster", "platform.kubernetes.context"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("err = %v; want it to say %q", err, s)
		}
	}
}
