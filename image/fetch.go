package image

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Platform is the platform images are picked for: linux on this
// machine's architecture.
func Platform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

// Pull fetches ref (a tag or a digest reference) from its registry, with
// the credentials Docker's config file gives (authn.DefaultKeychain), and
// stores the image for this machine's platform. Pulling an image already
// stored fetches only its manifest.
func (s *Store) Pull(ctx context.Context, ref string) (Image, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return Image{}, fmt.Errorf("pull %s: %w: %v", ref, ErrInvalid, err)
	}
	desc, err := remote.Get(r, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return Image{}, fmt.Errorf("pull %s: %w", ref, classify(err))
	}
	var img v1.Image
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return Image{}, fmt.Errorf("pull %s: %w", ref, classify(err))
		}
		img, err = fromIndex(idx)
		if err != nil {
			return Image{}, fmt.Errorf("pull %s: %w", ref, err)
		}
	} else if img, err = desc.Image(); err != nil {
		return Image{}, fmt.Errorf("pull %s: %w", ref, classify(err))
	}
	out, err := s.store(img, ref)
	if err != nil {
		return Image{}, fmt.Errorf("pull %s: %w", ref, classify(err))
	}
	return out, nil
}

// Load stores the image in the file at path: an OCI image layout folder
// (whose index may list several platforms) or a tarball written by
// docker save (its only image).
func (s *Store) Load(ctx context.Context, path string) (Image, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Image{}, fmt.Errorf("load image %s: %w", path, err)
	}
	var img v1.Image
	if fi.IsDir() {
		idx, err := layout.ImageIndexFromPath(path)
		if err != nil {
			return Image{}, fmt.Errorf("load image %s: %w: not an OCI image layout: %v", path, ErrInvalid, err)
		}
		if img, err = fromIndex(idx); err != nil {
			return Image{}, fmt.Errorf("load image %s: %w", path, err)
		}
	} else if img, err = tarball.ImageFromPath(path, nil); err != nil {
		return Image{}, fmt.Errorf("load image %s: %w: not a docker-save tarball: %v", path, ErrInvalid, err)
	}
	out, err := s.store(img, path)
	if err != nil {
		return Image{}, fmt.Errorf("load image %s: %w", path, err)
	}
	return out, nil
}

// fromIndex picks the image for Platform from an index, descending into
// nested indexes (an OCI layout's index.json often points at one).
func fromIndex(idx v1.ImageIndex) (v1.Image, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, classify(err)
	}
	want := Platform()
	var seen []string
	for _, m := range im.Manifests {
		switch {
		case m.MediaType.IsIndex():
			child, err := idx.ImageIndex(m.Digest)
			if err != nil {
				return nil, classify(err)
			}
			if img, err := fromIndex(child); err == nil || !errors.Is(err, ErrArchitecture) {
				return img, err
			}
			seen = append(seen, "nested index")
		case m.MediaType.IsImage() || m.MediaType == types.MediaType(""):
			if m.Platform == nil || m.Platform.Satisfies(want) {
				return idx.Image(m.Digest)
			}
			seen = append(seen, m.Platform.String())
		}
	}
	return nil, fmt.Errorf("%w: no image for %s in the index (it has %s)", ErrArchitecture, want, strings.Join(seen, ", "))
}

// store checks img's platform and config, writes its blobs, and records
// it. The record is written last: an image is in the store only once it
// is whole.
func (s *Store) store(img v1.Image, ref string) (Image, error) {
	digest, err := img.Digest()
	if err != nil {
		return Image{}, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return Image{}, fmt.Errorf("%w: config: %v", ErrInvalid, err)
	}
	if want := Platform(); cf.OS != want.OS || cf.Architecture != want.Architecture {
		return Image{}, fmt.Errorf("%w: the image is for %s/%s, this machine runs %s", ErrArchitecture, cf.OS, cf.Architecture, want)
	}
	if s.Has(digest.String()) {
		return s.Get(digest.String())
	}
	if err := s.writeImage(img); err != nil {
		return Image{}, fmt.Errorf("store blobs: %w", err)
	}
	size, err := imageSize(img)
	if err != nil {
		return Image{}, err
	}
	out := Image{Digest: digest.String(), Ref: ref, Size: size, Config: Config{
		Entrypoint: cf.Config.Entrypoint, Cmd: cf.Config.Cmd, Env: cf.Config.Env,
		User: cf.Config.User, WorkingDir: cf.Config.WorkingDir,
		OS: cf.OS, Architecture: cf.Architecture,
	}}
	if err := s.record(out); err != nil {
		return Image{}, fmt.Errorf("record image: %w", err)
	}
	return out, nil
}

// imageSize adds up the manifest, the config and the compressed layers.
func imageSize(img v1.Image) (int64, error) {
	m, err := img.Manifest()
	if err != nil {
		return 0, err
	}
	raw, err := img.RawManifest()
	if err != nil {
		return 0, err
	}
	size := int64(len(raw)) + m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	return size, nil
}

// classify wraps a registry or network error in the Store's error kinds,
// keeping its text.
func classify(err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) {
		switch {
		case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden:
			return fmt.Errorf("%w: %v", ErrUnauthorized, err)
		case terr.StatusCode == http.StatusNotFound || hasCode(terr, transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode):
			return fmt.Errorf("%w: %v", ErrUnknown, err)
		case terr.StatusCode >= 500:
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return err
	}
	var nerr net.Error
	if errors.As(err, &nerr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}

// hasCode reports whether the registry's error carries one of codes.
func hasCode(terr *transport.Error, codes ...transport.ErrorCode) bool {
	return slices.ContainsFunc(terr.Errors, func(d transport.Diagnostic) bool { return slices.Contains(codes, d.Code) })
}

// writeImage writes img's blobs and lists it in the layout's index,
// unless an earlier, interrupted store listed it already.
func (s *Store) writeImage(img v1.Image) error {
	s.writing.Lock()
	defer s.writing.Unlock()
	d, err := img.Digest()
	if err != nil {
		return err
	}
	if _, err := s.layout.Image(d); err == nil {
		return s.layout.WriteImage(img) // blobs an interrupted write may lack
	}
	return s.layout.AppendImage(img)
}
