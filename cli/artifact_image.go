package cli

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/spec"
)

// imageFlags are artifact push's image flags.
type imageFlags struct {
	ref, file string
}

func (f imageFlags) set() bool { return f.ref != "" || f.file != "" }

// check says what is wrong with the combination of FILE and image flags.
func (f imageFlags) check(args []string) error {
	switch {
	case len(args) == 1 && f.set():
		return errors.New("push a FILE or an image (--image, --image-file), not both")
	case len(args) == 0 && !f.set():
		return errors.New("push what? give a FILE, --image REF (pulled by the server) or --image-file PATH (an OCI layout folder or a docker-save tarball)")
	case f.file != "":
		if f.ref != "" && spec.ImageDigest(f.ref) != "" {
			return errors.New("with --image-file, --image names the repository (like shop/order), without a digest: the file gives it")
		}
		if _, err := os.Stat(f.file); err != nil {
			return fmt.Errorf("--image-file: %w", err)
		}
	}
	if f.ref != "" {
		if _, err := spec.ParseImage(f.ref); err != nil {
			return fmt.Errorf("--image: %w", err)
		}
	}
	return nil
}

// pushImage records an image version: pulled by the server, or uploaded
// from a file first and named by its digest.
func (e *env) pushImage(ctx context.Context, c *client.Client, f imageFlags, v api.Version) error {
	v.Image = f.ref
	if f.file != "" {
		fmt.Fprintf(e.stderr, "uploading image %s\n", f.file)
		img, err := putImageFile(ctx, c, f.file, f.ref)
		if err != nil {
			return fmt.Errorf("upload image %s: %w", f.file, err)
		}
		v.Image = img.Ref
	} else {
		fmt.Fprintf(e.stderr, "the server pulls %s\n", f.ref)
	}
	out, err := c.PushVersion(ctx, v)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "pushed %s version %s: image %s (%d bytes)\n", out.Service, out.Version, out.Image, out.Size)
	return nil
}

// putImageFile uploads an image file: a docker-save tarball as it is, an
// OCI layout folder as a tar stream written while it is sent.
func putImageFile(ctx context.Context, c *client.Client, path, name string) (api.Image, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return api.Image{}, err
	}
	if !fi.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return api.Image{}, err
		}
		defer f.Close()
		return c.PutImage(ctx, name, f)
	}
	if _, err := os.Stat(path + "/oci-layout"); err != nil {
		return api.Image{}, fmt.Errorf("%s is a folder without an oci-layout file: not an OCI image layout", path)
	}
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := tw.AddFS(os.DirFS(path))
		if cerr := tw.Close(); err == nil {
			err = cerr
		}
		pw.CloseWithError(err)
	}()
	defer pr.Close()
	return c.PutImage(ctx, name, pr)
}
