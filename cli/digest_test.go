package cli

import (
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

func TestWithDigests(t *testing.T) {
	src := `app: shop # the shop
services:
  order:
    run: [./order]
    artifact: {path: bin/order}
  invoice:
    run: [./invoice]
    artifact:
      path: bin/invoice
      digest: sha256:old
`
	out, err := withDigests([]byte(src), map[string]string{"order": "sha256:aaa", "invoice": "sha256:bbb"})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Services map[string]struct {
			Artifact struct{ Path, Digest string }
		}
	}
	if err := yaml.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	if a := got.Services["order"].Artifact; a.Path != "bin/order" || a.Digest != "sha256:aaa" {
		t.Errorf("order artifact = %+v", a)
	}
	if a := got.Services["invoice"].Artifact; a.Path != "bin/invoice" || a.Digest != "sha256:bbb" {
		t.Errorf("invoice artifact = %+v", a)
	}
}

func TestWithDigestsLeavesTextAlone(t *testing.T) {
	src := "app: shop\n\n\nservices: {}\n"
	out, err := withDigests([]byte(src), nil)
	if err != nil || string(out) != src {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestWithDigestsNeedsArtifactMapping(t *testing.T) {
	_, err := withDigests([]byte("app: shop\nservices:\n  order: {run: [x]}\n"), map[string]string{"order": "sha256:a"})
	if err == nil {
		t.Fatal("want an error for a service without an artifact mapping")
	}
}
