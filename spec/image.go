package spec

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ParseImage checks an image reference as `image:` takes it,
// repo[:tag][@sha256:<hex>] (registry.example/shop/order:v1, or pinned
// with @sha256:...), and returns its digest, "" when it names a tag only.
// Parsing needs no registry: whether the image exists is known when it
// is pulled.
func ParseImage(ref string) (digest string, err error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("invalid image reference %q: want repo[:tag][@sha256:<64 hex>], like registry.example/shop/order:v1", ref)
	}
	if d, ok := r.(name.Digest); ok {
		if !sha256Digest.MatchString(d.DigestStr()) {
			return "", fmt.Errorf("invalid image digest in %q: want sha256: followed by 64 lowercase hex digits", ref)
		}
		return d.DigestStr(), nil
	}
	return "", nil
}

// ImageDigest returns the digest an image reference pins, or "" when it
// names a tag (or does not parse).
func ImageDigest(ref string) string {
	d, _ := ParseImage(ref)
	return d
}

// PinImage returns ref pinned to digest: its repository and tag as
// written, then @digest (replacing a digest it had), so that a revision
// says which tag it came from and runs exactly that image.
func PinImage(ref, digest string) string {
	base, _, _ := strings.Cut(ref, "@")
	return base + "@" + digest
}

// RunsImage reports whether the service runs an OCI image (image:)
// rather than a host command (run:).
func (s *Service) RunsImage() bool { return s.Image != "" }
