package httpapi

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/spec"
)

// Images is the server's OCI image store (image.Store), shared by every
// environment: image versions and applied specs pull into it, uploads
// load into it.
type Images interface {
	// Pull fetches ref from its registry and stores it.
	Pull(ctx context.Context, ref string) (image.Image, error)
	// Load stores the image in a docker-save tarball or an OCI layout
	// folder.
	Load(ctx context.Context, path string) (image.Image, error)
	// Get returns a stored image by manifest digest (image.ErrNotFound).
	Get(digest string) (image.Image, error)
}

// maxImage bounds one image upload.
const maxImage = 8 << 30

func (h *handler) imageRoutes() {
	h.mux.HandleFunc("PUT /v1/images", h.putImage)
}

func (h *handler) images() (Images, error) {
	if h.cfg.Images == nil {
		return nil, errNoImages
	}
	return h.cfg.Images, nil
}

// errNoImages answers an image request to a server built without an
// image store (tests, embedders).
var errNoImages = fmt.Errorf("%w: this server has no image store", image.ErrInvalid)

// resolveImage returns the stored image ref names: the one stored by its
// digest, else pulled. A reference pinned by digest to an image the
// store holds (uploaded, or pulled before) needs no registry.
func (h *handler) resolveImage(ctx context.Context, ref string) (image.Image, error) {
	imgs, err := h.images()
	if err != nil {
		return image.Image{}, err
	}
	digest, err := spec.ParseImage(ref)
	if err != nil {
		return image.Image{}, badRequest{err.Error()}
	}
	if digest != "" {
		if img, err := imgs.Get(digest); err == nil {
			return img, nil
		}
	}
	return imgs.Pull(ctx, ref)
}

// pinImages pins every image of app named by a tag to the digest the
// registry gives now, so a revision runs one image and a moved tag makes
// a new revision; an image pinned already is pulled unless stored. A
// pull that fails, or an image with nothing to run when the spec has no
// command, is a problem at the service's image line.
func (h *handler) pinImages(ctx context.Context, app *spec.App, file string) error {
	var ps spec.Problems
	for _, name := range spec.TopoOrder(app.Services) {
		s := app.Services[name]
		if !s.RunsImage() {
			continue
		}
		img, err := h.resolveImage(ctx, s.Image)
		if err != nil {
			path := "services." + name + ".image"
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path), Path: path, Message: imageAdvice(err)})
			continue
		}
		if _, err := img.Config.Command(s.Command); err != nil {
			path := "services." + name + ".image"
			ps = append(ps, spec.Problem{File: file, Line: app.Line(path), Path: path,
				Message: fmt.Sprintf("image %s has neither an entrypoint nor a cmd: give the service command: [PROGRAM, ARGS...]", s.Image)})
			continue
		}
		s.Image = spec.PinImage(s.Image, img.Digest)
	}
	if len(ps) > 0 {
		return &ps
	}
	return nil
}

// imageAdvice says what went wrong with an image and what to do.
func imageAdvice(err error) string {
	switch {
	case errors.Is(err, image.ErrUnknown):
		return err.Error() + "; check the name and tag, or push the image first"
	case errors.Is(err, image.ErrUnavailable):
		return err.Error() + "; the server could not reach the registry: check that it is up and reachable from the server"
	case errors.Is(err, image.ErrArchitecture):
		return err.Error() + "; build the image for linux/" + image.Platform().Architecture
	}
	return err.Error()
}

// putImage serves PUT /v1/images: the body is a docker-save tarball or an
// OCI image layout folder as a tar stream.
func (h *handler) putImage(w http.ResponseWriter, r *http.Request) {
	img, err := h.loadUpload(r.Context(), http.MaxBytesReader(w, r.Body, maxImage))
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "local"
	}
	ref := spec.PinImage(name, img.Digest)
	if _, err := spec.ParseImage(ref); err != nil {
		writeError(w, h.cfg.Logger, badRequest{"name: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, api.Image{Digest: img.Digest, Ref: ref, Size: img.Size, Architecture: img.Config.Architecture})
}

// loadUpload saves an uploaded image in a temporary folder and loads it:
// as an OCI layout when the tar holds an oci-layout file, else as a
// docker-save tarball.
func (h *handler) loadUpload(ctx context.Context, body io.Reader) (image.Image, error) {
	imgs, err := h.images()
	if err != nil {
		return image.Image{}, err
	}
	tmp, err := os.MkdirTemp("", "slipway-image-*")
	if err != nil {
		return image.Image{}, err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "image.tar")
	f, err := os.Create(file)
	if err != nil {
		return image.Image{}, err
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return image.Image{}, badRequest{"read image upload: " + err.Error()}
	}
	layout, err := isLayout(file)
	if err != nil {
		return image.Image{}, badRequest{"image upload is not a tar stream: " + err.Error()}
	}
	if !layout {
		return imgs.Load(ctx, file)
	}
	dir := filepath.Join(tmp, "layout")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return image.Image{}, err
	}
	if err := extractFile(ctx, file, dir); err != nil {
		return image.Image{}, err
	}
	return imgs.Load(ctx, dir)
}

// isLayout reports whether the tar file holds an OCI image layout (an
// oci-layout file at its top).
func isLayout(file string) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if path.Clean(strings.TrimPrefix(hdr.Name, "./")) == "oci-layout" {
			return true, nil
		}
	}
}

// extractFile unpacks a tar file into dir, never outside it (the image
// store's extractor, which refuses .. and symlinks out).
func extractFile(ctx context.Context, file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	return image.Extract(ctx, f, dir)
}
