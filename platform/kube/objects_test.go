package kube

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func orderRevision() Revision {
	four := 4
	s := &spec.Service{Name: "order", Image: "registry.example/shop/order:v1@" + digest, Instances: &four,
		Command:   []string{"/order", "--port", "${PORT}"},
		Env:       map[string]string{"B": "2", "A": "1", "PORT": "9999"},
		Resources: spec.Resources{CPU: 0.5, Memory: 256 << 20},
		Health: spec.Health{
			Readiness: &spec.Probe{HTTP: "/healthz", Interval: spec.Duration{Duration: 1500 * time.Millisecond}, Timeout: spec.Duration{Duration: time.Second}, FailureThreshold: 3, SuccessThreshold: 2},
			Liveness:  &spec.Probe{TCP: true, Interval: spec.Duration{Duration: 5 * time.Second}, SuccessThreshold: 2},
		},
		StopGrace: spec.Duration{Duration: 10 * time.Second}}
	return Revision{App: "shop", Env: "prod", Service: "order", Number: 3, Spec: s, Replicas: 1, MinReady: 5 * time.Second}
}

// jsonOf renders an apply configuration as the API server receives it.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDeployment checks the spec's fields land where Kubernetes reads
// them: each row is a fragment the Deployment's JSON must hold.
func TestDeployment(t *testing.T) {
	d, err := Deployment(orderRevision(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	got := jsonOf(t, d)
	for _, want := range []string{
		`"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"order-r3","namespace":"shop"`,
		`"slipway.dev/revision":"3"`, `"slipway.dev/environment":"prod"`, `"slipway.dev/app":"shop"`, `"app.kubernetes.io/managed-by":"slipway"`,
		`"replicas":1`, `"minReadySeconds":5`,
		`"selector":{"matchLabels":{"slipway.dev/environment":"prod","slipway.dev/revision":"3","slipway.dev/service":"order"}}`,
		`"image":"registry.example/shop/order:v1@` + digest + `"`,
		`"command":["/order","--port","$(PORT)"]`,
		`"env":[{"name":"PORT","value":"8080"},{"name":"SLIPWAY_SERVICE","value":"order"},{"name":"SLIPWAY_REVISION","value":"3"},{"name":"SLIPWAY_ENVIRONMENT","value":"prod"},{"name":"SLIPWAY_INSTANCE","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"A","value":"1"},{"name":"B","value":"2"}]`,
		`"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"500m","memory":"256Mi"}`,
		`"readinessProbe":{"httpGet":{"path":"/healthz","port":"http"},"timeoutSeconds":1,"periodSeconds":2,"successThreshold":2,"failureThreshold":3}`,
		`"livenessProbe":{"tcpSocket":{"port":"http"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1}`,
		`"securityContext":{"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"allowPrivilegeEscalation":false}`,
		`"terminationGracePeriodSeconds":10`, `"automountServiceAccountToken":false`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Deployment lacks %s\n%s", want, got)
		}
	}
}

func TestDeploymentUsers(t *testing.T) {
	for _, tc := range []struct{ user, want string }{
		{"", `"runAsNonRoot":true`},
		{"app", `"runAsNonRoot":true`},
		{"1000", `"runAsUser":1000,"runAsNonRoot":true`},
		{"root", `"runAsUser":0`},
	} {
		r := orderRevision()
		r.Spec.User = tc.user
		d, _ := Deployment(r, "shop")
		if got := jsonOf(t, d); !strings.Contains(got, tc.want) {
			t.Errorf("user %q: want %s in %s", tc.user, tc.want, got)
		}
	}
}

// A tag may move: a revision that names one is refused before any
// object is built.
func TestDeploymentRefusesTag(t *testing.T) {
	r := orderRevision()
	r.Spec.Image = "registry.example/shop/order:v1"
	_, err := Deployment(r, "shop")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "needs a digest") {
		t.Fatalf("err = %v", err)
	}
}

func TestServices(t *testing.T) {
	r := orderRevision()
	rev := jsonOf(t, RevisionService(r, "shop"))
	stable := jsonOf(t, StableService(Target{App: "shop", Env: "prod", Namespace: "shop"}, "order"))
	for _, want := range []string{`"name":"order-r3"`, `"selector":{"slipway.dev/environment":"prod","slipway.dev/revision":"3","slipway.dev/service":"order"}`,
		`"ports":[{"name":"http","port":80,"targetPort":"http"}]`} {
		if !strings.Contains(rev, want) {
			t.Errorf("revision Service lacks %s\n%s", want, rev)
		}
	}
	if want := `"selector":{"slipway.dev/environment":"prod","slipway.dev/service":"order"}`; !strings.Contains(stable, want) || !strings.Contains(stable, `"name":"order"`) {
		t.Errorf("stable Service lacks %s\n%s", want, stable)
	}
}
