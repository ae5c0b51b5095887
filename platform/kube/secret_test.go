package kube

import (
	"errors"
	"maps"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// secretRevision is orderRevision whose env DB references a secret,
// revealed as "hunter2".
func secretRevision() Revision {
	r := orderRevision()
	s := *r.Spec
	s.Env = maps.Clone(s.Env)
	s.Env["DB"] = "postgres://order:${secret.db}@db"
	r.Spec, r.SecretEnv = &s, map[string]string{"DB": "postgres://order:hunter2@db"}
	return r
}

// TestSecretEnvIsASecret: an env value referencing a secret goes to the
// pod through the revision's Secret (written before the Deployment,
// deleted with the revision), never as text in the Deployment.
func TestSecretEnvIsASecret(t *testing.T) {
	k, c, _ := namespace(t, sharedEnv(t))
	ctx := t.Context()
	r := secretRevision()
	if err := k.ApplyRevision(ctx, r); err != nil {
		t.Fatal(err)
	}
	var sec corev1.Secret
	if err := c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: "order-r3-env"}, &sec); err != nil {
		t.Fatal(err)
	}
	if string(sec.Data["DB"]) != "postgres://order:hunter2@db" || sec.Labels[LabelRevision] != "3" {
		t.Fatalf("Secret data %q labels %v", sec.Data, sec.Labels)
	}
	var d appsv1.Deployment
	if err := c.Get(ctx, client.ObjectKey{Namespace: k.t.Namespace, Name: "order-r3"}, &d); err != nil {
		t.Fatal(err)
	}
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "DB" && (e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef.Name != "order-r3-env" || e.ValueFrom.SecretKeyRef.Key != "DB") {
			t.Fatalf("env DB = %+v, want a reference to the Secret", e)
		}
	}
	if err := k.DeleteRevision(ctx, "order", 3); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(ctx, client.ObjectKeyFromObject(&sec), &corev1.Secret{}); err == nil {
		t.Fatal("the Secret outlived its revision")
	}

	unrevealed := secretRevision()
	unrevealed.SecretEnv = nil
	if err := k.ApplyRevision(ctx, unrevealed); !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("a secret not revealed: %v, want refused", err)
	}
}

// TestManifestsNeverPrintSecrets: kube manifests show the reference and
// which variables the Secret holds, never a value.
func TestManifestsNeverPrintSecrets(t *testing.T) {
	out, err := Manifests(target, []Revision{secretRevision()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, "hunter2") || strings.Contains(s, "kind: Secret") {
		t.Fatalf("manifests print the secret:\n%s", s)
	}
	for _, want := range []string{"---\n# Secret shop/order-r3-env (applied too, never printed) holds env DB\napiVersion: apps/v1", "secretKeyRef:\n", "key: DB\n", "name: order-r3-env\n"} {
		if !strings.Contains(s, want) {
			t.Fatalf("manifests lack %q:\n%s", want, s)
		}
	}
}
