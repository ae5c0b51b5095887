package server

import (
	"context"
	"os"
	"path/filepath"

	"github.com/slipway-dev/slipway/backup"
	"github.com/slipway-dev/slipway/httpapi"
)

// backup takes a consistent copy of every environment's database (the
// hub's first), in a temporary folder of the data folder, for POST
// /v1/backup to stream.
func (h *hosted) backup(ctx context.Context) (httpapi.Snapshot, error) {
	var srcs []backup.Source
	for _, p := range h.all() {
		db, err := h.dbPath(p.name)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, backup.Source{Database: backup.Database{Env: p.name, Path: db}, Store: p.db})
	}
	return backup.Take(ctx, h.s.cfg.DataDir, h.s.cfg.DataDir, srcs, h.s.cfg.Clock.Now())
}

// dbPath is where an environment's database is inside the data folder,
// with slashes: envDir's layout, never spelled out again.
func (h *hosted) dbPath(env string) (string, error) {
	dir, err := h.envDir(env)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(h.s.cfg.DataDir, filepath.Join(dir, dbFile))
	return filepath.ToSlash(rel), err
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
