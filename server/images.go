package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/spec"
)

// images adapts the image store to what the rollout controllers need:
// an instance's image, unpacked, pulled by digest first when the store
// lacks it (after a restore: images are not in backups). It says once,
// in the server's log, that services need an OCI runtime when none is
// installed; each instance that cannot start says it in its own status.
type images struct {
	store *image.Store
	// runtime is why containers cannot run (no OCI runtime), or nil.
	runtime error
	logger  *slog.Logger
	warn    sync.Once
}

var _ rollout.Images = (*images)(nil)

// Unpack returns the image ref pins, unpacked.
func (m *images) Unpack(ctx context.Context, ref string) (rollout.UnpackedImage, error) {
	if m.runtime != nil {
		m.warn.Do(func() {
			m.logger.Error("a service runs an image, and this server cannot run containers: its instances will not start", "err", m.runtime)
		})
		return rollout.UnpackedImage{}, m.runtime
	}
	digest := spec.ImageDigest(ref)
	if _, err := m.store.Get(digest); errors.Is(err, image.ErrNotFound) {
		if _, err := m.store.Pull(ctx, ref); err != nil {
			return rollout.UnpackedImage{}, fmt.Errorf("not in the image store, and pulling it by digest failed: %w", err)
		}
	}
	rootfs, cfg, err := m.store.Unpack(ctx, digest)
	if err != nil {
		return rollout.UnpackedImage{}, err
	}
	return rollout.UnpackedImage{Digest: digest, Rootfs: rootfs, Entrypoint: cfg.Entrypoint, Cmd: cfg.Cmd, Env: cfg.Env,
		User: cfg.User, WorkingDir: cfg.WorkingDir}, nil
}
