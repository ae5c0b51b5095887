package server

import (
	"context"
	"os"
	"path"
	"path/filepath"

	"github.com/slipway-dev/slipway/backup"
	"github.com/slipway-dev/slipway/httpapi"
	"github.com/slipway-dev/slipway/spec"
)

// backup takes a consistent copy of every environment's database (the
// hub's first), in a temporary folder of the data folder, for POST
// /v1/backup to stream.
func (h *hosted) backup(ctx context.Context) (httpapi.Snapshot, error) {
	var srcs []backup.Source
	for _, p := range h.all() {
		srcs = append(srcs, backup.Source{Database: backup.Database{Env: p.name, Path: dbPath(p.name)}, Store: p.db})
	}
	return backup.Take(ctx, h.s.cfg.DataDir, h.s.cfg.DataDir, srcs, h.s.cfg.Clock.Now())
}

// dbPath is where an environment's database is inside the data folder,
// with slashes (envDir's layout).
func dbPath(env string) string {
	if env == spec.DefaultEnvironment {
		return "slipway.db"
	}
	return path.Join("envs", env, "slipway.db")
}

// removeBackupLeftovers removes the temporary copies of backups a killed
// server was taking (backup.Take's DATA/.backup-*): none runs before the
// server starts.
func removeBackupLeftovers(dataDir string) error {
	dirs, err := filepath.Glob(filepath.Join(dataDir, ".backup-*"))
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	return nil
}
