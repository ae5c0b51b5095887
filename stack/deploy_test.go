package stack

import (
	"errors"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

const (
	d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// A deploy moves the digest a service runs, of its own kind: an image
// by its pinned reference (never a tag), a file as its artifact.
func TestWithVersion(t *testing.T) {
	img := spec.Service{Name: "order", Image: "shop/order:v1@" + d1}
	file := spec.Service{Name: "order", Run: []string{"./order"}, Artifact: &spec.Artifact{Path: "./order", Digest: d1}}
	cmd := spec.Service{Name: "order", Run: []string{"./order"}}
	for _, tc := range []struct {
		name  string
		cur   spec.Service
		v     store.Version
		image string
		err   string
	}{
		{"pushed image", img, store.Version{Version: "v2", Kind: store.VersionImage, Digest: d2, Image: "registry.example/order:v2@" + d2}, "registry.example/order:v2@" + d2, ""},
		{"promoted image never pushed", img, store.Version{Version: "v2", Digest: d2}, "shop/order:v1@" + d2, ""},
		{"file onto image", img, store.Version{Version: "v2", Kind: store.VersionFile, Digest: d2}, "", "runs an image, and version v2 is a file"},
		{"image onto file", file, store.Version{Version: "v2", Kind: store.VersionImage, Digest: d2, Image: "o@" + d2}, "", "give the service `image:` in the spec"},
		{"file onto command", cmd, store.Version{Version: "v2", Kind: store.VersionFile, Digest: d2}, "", "runs a command, not an artifact"},
		{"file", file, store.Version{Version: "v2", Kind: store.VersionFile, Digest: d2}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, err := withVersion(tc.cur, tc.v)
			if tc.err != "" {
				if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want invalid with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if next.Image != tc.image || (tc.image == "" && next.Artifact.Digest != d2) || runningDigest(*next) != d2 {
				t.Fatalf("next = %+v", next)
			}
			if runningDigest(tc.cur) != d1 {
				t.Error("withVersion changed the current spec")
			}
		})
	}
}
