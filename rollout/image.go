package rollout

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// Images gives the unpacked OCI image an instance runs in (the server's
// image store). Declared here with plain types so that rollout needs no
// registry client.
type Images interface {
	// Unpack returns the image ref pins (repo[:tag]@sha256:...), unpacked
	// once into a read-only root filesystem shared by its instances. An
	// image the store lacks is pulled by digest first, so a revision
	// runs after a restore or on a server that never pulled it; an error
	// says why it cannot run (unknown, unauthorized, another CPU
	// architecture, registry down).
	Unpack(ctx context.Context, ref string) (UnpackedImage, error)
}

// UnpackedImage is an image ready to run, with the parts of its config
// an instance needs.
type UnpackedImage struct {
	// Digest is the manifest digest, Rootfs the unpacked root.
	Digest, Rootfs string
	// Entrypoint and Cmd run when the spec has no command:.
	Entrypoint, Cmd []string
	// Env is the image's environment, KEY=VALUE.
	Env []string
	// User and WorkingDir are the config's ("" when unset).
	User, WorkingDir string
}

// errNoImages is a start failure on a server built without an image store.
var errNoImages = errors.New("this server has no image store: it cannot run images")

// imageError is a start failure because the instance's image cannot be
// had or run here (unknown, unreachable, no OCI runtime, nothing to run):
// no restart will fix it, so the revision's rollout ends at once
// (failNow) instead of at its progress deadline.
type imageError struct{ err error }

func (e imageError) Error() string { return e.err.Error() }
func (e imageError) Unwrap() error { return e.err }

// imageSpec completes is for a revision that runs an image: the
// environment is the image's under the spec's under Slipway's own (env
// holds the latter two), and the program is the spec's command, else the
// image's entrypoint and cmd.
func (c *Controller) imageSpec(ctx context.Context, is *workload.InstanceSpec, s spec.Service, env map[string]string) error {
	if err := c.resolveImage(ctx, is, s, env); err != nil {
		return imageError{err}
	}
	return nil
}

func (c *Controller) resolveImage(ctx context.Context, is *workload.InstanceSpec, s spec.Service, env map[string]string) error {
	ref := s.Image
	if spec.ImageDigest(ref) == "" {
		return fmt.Errorf("image %s is a tag, not a digest: apply the spec again so that the server pins it, or push it as a version", ref)
	}
	if c.cfg.Images == nil {
		return errNoImages
	}
	img, err := c.cfg.Images.Unpack(ctx, ref)
	if err != nil {
		return fmt.Errorf("image %s: %w", ref, err)
	}
	is.Env = imageEnv(img.Env)
	maps.Copy(is.Env, env)
	switch {
	case len(s.Command) > 0:
		is.Command = spec.Expand(s.Command, is.Env)
	default:
		is.Command = append(append([]string(nil), img.Entrypoint...), img.Cmd...)
	}
	if len(is.Command) == 0 {
		return fmt.Errorf("image %s has neither an entrypoint nor a cmd: give the service command: [PROGRAM, ARGS...]", ref)
	}
	is.Image = &workload.Image{Digest: img.Digest, Rootfs: img.Rootfs, User: img.User, WorkingDir: img.WorkingDir}
	return nil
}

// imageEnv reads an image config's KEY=VALUE list; a later key wins, as
// in the runtime.
func imageEnv(kv []string) map[string]string {
	env := make(map[string]string, len(kv))
	for _, e := range kv {
		if k, v, ok := strings.Cut(e, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// failNow ends the rollout of the instance's revision at once: its
// progress deadline becomes now, so the next pass fails it (and its
// operation rolls back) naming the instance's start failure. Only a
// rollout in progress to that revision is touched.
func (c *Controller) failNow(ctx context.Context, in store.Instance) error {
	now := c.cfg.Clock.Now()
	err := c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		svc, err := tx.GetService(in.Service)
		if err != nil {
			return err
		}
		if svc.Phase != store.PhaseProgressing || svc.Revision != in.Revision || (!svc.Deadline.IsZero() && !now.Before(svc.Deadline)) {
			return nil
		}
		svc.Deadline, svc.UpdatedAt = now, now
		return tx.PutService(svc)
	})
	c.cfg.Enqueue(queue.ServiceKey(in.Service), 0)
	return err
}
