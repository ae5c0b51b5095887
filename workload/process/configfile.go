package process

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

// configDir is the folder of an instance's directory that holds its
// dynamic configuration files: the server's, readable (not writable) by
// the instance's group, as its artifact is.
const configDir = "config"

var _ workload.ConfigWriter = (*Driver)(nil)

// ConfigPath implements workload.ConfigWriter: under InstanceMount when
// the server is root (the instance sees its directory there), else the
// real path.
func (d *Driver) ConfigPath(id, name string) string {
	rel := filepath.Join(configDir, name+".json")
	if os.Geteuid() == 0 {
		return filepath.Join(InstanceMount, rel)
	}
	return filepath.Join(d.dir, id, rel)
}

// WriteConfig implements workload.ConfigWriter.
// The files are written without d.mu held (their fsyncs would hold up
// every other instance's), and the process is looked up again after.
func (d *Driver) WriteConfig(ctx context.Context, id string, f workload.ConfigFile) error {
	d.mu.Lock()
	inst, err := d.lookup(id)
	var dir string
	var user *credential
	if err == nil {
		dir, user = inst.dir, inst.rec.User
	}
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("write config %s of %s: %w", f.Name, id, err)
	}
	if err := placeConfig(dir, f, user); err != nil {
		return fmt.Errorf("write config %s of %s: %w", f.Name, id, err)
	}
	if f.Signal == 0 {
		return nil
	}
	d.mu.Lock()
	d.refresh(inst)
	pid := 0
	if inst.rec.Phase == instdir.PhaseRunning {
		pid = inst.rec.PID
	}
	d.mu.Unlock()
	if pid > 0 {
		if err := unix.Kill(pid, f.Signal); err != nil && err != unix.ESRCH {
			return fmt.Errorf("signal %s after its config %s: %w", id, f.Name, err)
		}
	}
	return nil
}

// placeConfigs writes the spec's config files before the process starts.
func placeConfigs(s workload.InstanceSpec, dir string, c *credential) error {
	for _, f := range s.Configs {
		if err := placeConfig(dir, f, c); err != nil {
			return fmt.Errorf("place config %s: %w", f.Name, err)
		}
	}
	return nil
}

// placeConfig replaces dir/config/NAME.json, then NAME.json.version,
// each through a synced temporary file renamed over it: an instance
// reads the old file or the new, never a torn one, and never a version
// newer than the values it reads first.
func placeConfig(dir string, f workload.ConfigFile, c *credential) error {
	cdir := filepath.Join(dir, configDir)
	dirMode, _ := artifactModes(c)
	if err := os.Mkdir(cdir, dirMode); err != nil && !os.IsExist(err) {
		return err
	}
	if err := shareWithGroup(cdir, c); err != nil {
		return err
	}
	if err := os.Chmod(cdir, dirMode); err != nil {
		return err
	}
	values := filepath.Join(cdir, f.Name+".json")
	if err := writeShared(values, f.Data, c); err != nil {
		return err
	}
	return writeShared(values+".version", []byte(strconv.Itoa(f.Version)+"\n"), c)
}

// writeShared writes path atomically, readable by c's group (by
// everyone when c is nil: the instance is the server's user).
func writeShared(path string, data []byte, c *credential) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	mode := os.FileMode(0o644)
	if c != nil {
		mode = 0o640
		if err := tmp.Chown(os.Geteuid(), c.GID); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(path))
}
