package imagetest

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Registry is an in-memory OCI registry on 127.0.0.1 (plain HTTP, which
// go-containerregistry and podman use for loopback hosts).
type Registry struct {
	// Host is "127.0.0.1:PORT".
	Host string
	srv  *httptest.Server
}

// Serve starts a registry. When user is not empty, every request must
// carry that user and password (HTTP basic), else 401.
func Serve(user, password string) *Registry {
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if user != "" {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="imagetest"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
			inner.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(h)
	return &Registry{Host: strings.TrimPrefix(srv.URL, "http://"), srv: srv}
}

// Close stops the registry; later pulls find nobody listening.
func (r *Registry) Close() { r.srv.Close() }

// Push pushes img to repo by digest and returns the reference
// "HOST/repo@sha256:...". Options (e.g. remote.WithAuth) pass through.
func (r *Registry) Push(repo string, img v1.Image, opts ...remote.Option) (string, error) {
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	ref, err := name.NewDigest(fmt.Sprintf("%s/%s@%s", r.Host, repo, d))
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	return ref.String(), nil
}

// PushStub pushes an image that only names an entrypoint /ENTRY (a
// shell script that does nothing) to repo: for a platform that only
// needs a digest to write, never runs it (Kubernetes under envtest).
func (r *Registry) PushStub(repo, entry string) (string, error) {
	l, err := Layer(File{Name: entry, Body: []byte("#!/bin/sh\n")})
	if err != nil {
		return "", err
	}
	img, err := Image(Options{Entrypoint: []string{"/" + entry}}, l)
	if err != nil {
		return "", err
	}
	return r.Push(repo, img)
}

// Tag pushes img to repo under tag and returns "HOST/repo:tag".
func (r *Registry) Tag(repo, tag string, img v1.Image, opts ...remote.Option) (string, error) {
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", r.Host, repo, tag))
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	return ref.String(), nil
}

// WriteLayout writes img as an OCI image layout in the new folder dir.
func WriteLayout(dir string, img v1.Image) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendImage(img)
}

// WriteTarball writes img as docker save would, to the file path, tagged
// "imagetest/image:latest".
func WriteTarball(path string, img v1.Image) error {
	tag, err := name.NewTag("imagetest/image:latest")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return tarball.WriteToFile(path, tag, img)
}

// Index wraps images in a multi-platform index, each entry's platform
// taken from its config.
func Index(imgs ...v1.Image) (v1.ImageIndex, error) {
	var adds []mutate.IndexAddendum
	for _, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: cf.OS, Architecture: cf.Architecture},
		}})
	}
	return mutate.AppendManifests(empty.Index, adds...), nil
}

// PushIndex pushes an index to repo under tag and returns "HOST/repo:tag".
func (r *Registry) PushIndex(repo, tag string, idx v1.ImageIndex) (string, error) {
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", r.Host, repo, tag))
	if err != nil {
		return "", err
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	return ref.String(), nil
}
