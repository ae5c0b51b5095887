package kube

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/router"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestManifestsGolden: what `slipway kube manifests` prints for a canary
// at 10% (the stable and the candidate revision, the stable Service, the
// weighted route) is testdata/manifests.golden.yaml, byte for byte, and
// the same whatever the order the revisions come in.
func TestManifestsGolden(t *testing.T) {
	stable, cand := orderRevision(), orderRevision()
	stable.Replicas = 4
	cand.Number, cand.Replicas = 4, 1
	route := router.Route{Service: "order", Host: "order.example.com", Weights: map[int]int{3: 90, 4: 10}}
	got, err := Manifests(target, []Revision{cand, stable}, []router.Route{route})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Manifests(target, []Revision{stable, cand}, []router.Route{route})
	if err != nil || !bytes.Equal(got, again) {
		t.Fatalf("not deterministic: %v", err)
	}
	path := filepath.Join("testdata", "manifests.golden.yaml")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./platform/kube -run Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("manifests differ from %s (go test ./platform/kube -run Golden -update, then review the diff):\n%s", path, got)
	}
}
