package server

import (
	"errors"
	"io/fs"
	"os"
)

// privateDir creates dir, or takes an existing one (a data folder made by
// an older release was 0755), readable only by the server's user: it
// holds the database, the artifacts and every instance's logs. Instances
// need not walk it: each sees its own directory at process.InstanceMount.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// privateDB makes the database and its WAL and shared-memory files
// readable only by the server's user (SQLite creates them 0644, and the
// WAL and shm files after the database's mode).
func privateDB(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// logIsolation says who instances run as.
func (s *Server) logIsolation() {
	if os.Geteuid() == 0 {
		s.cfg.Logger.Info("instances run as a dynamic unprivileged user per service (or their spec's user:), without capabilities")
		return
	}
	s.cfg.Logger.Info("the server is not root: instances run as its user", "uid", os.Geteuid())
}
