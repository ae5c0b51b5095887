package instdir

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/workload"
)

// ConfigDir is the folder of an instance's directory that holds its
// dynamic configuration files: the server's, readable (not writable) by
// the instance's group, as its artifact is. A process instance reads it
// in place; the container driver binds it read-only into the container.
const ConfigDir = "config"

// DeliverConfig is what both local drivers' WriteConfig do once they
// have found the instance whose directory is dir: write f there
// (PlaceConfig), then, when f names a signal, send it to the PID running
// returns (0: the instance does not run). The driver writes without its
// lock held (the fsyncs would hold up every other instance), so running
// looks the instance up again, after the files are in place: a process
// started meanwhile has read the new files or gets the signal.
func DeliverConfig(id, dir string, gid int, f workload.ConfigFile, running func() int) error {
	if err := PlaceConfig(dir, f, gid); err != nil {
		return fmt.Errorf("write config %s of %s: %w", f.Name, id, err)
	}
	if f.Signal == 0 {
		return nil
	}
	if pid := running(); pid > 0 {
		if err := unix.Kill(pid, f.Signal); err != nil && err != unix.ESRCH {
			return fmt.Errorf("signal %s after its config %s: %w", id, f.Name, err)
		}
	}
	return nil
}

// PlaceConfigs writes each of configs (PlaceConfig) before the instance
// starts.
func PlaceConfigs(dir string, configs []workload.ConfigFile, gid int) error {
	for _, f := range configs {
		if err := PlaceConfig(dir, f, gid); err != nil {
			return fmt.Errorf("place config %s: %w", f.Name, err)
		}
	}
	return nil
}

// PlaceConfig replaces dir/config/NAME.json, then NAME.json.version,
// each through a synced temporary file renamed over it: an instance
// reads the old file or the new, never a torn one, and never a version
// newer than the values it reads first. The files are readable by group
// gid, or by everyone when gid is negative (the instance runs as the
// server's user).
func PlaceConfig(dir string, f workload.ConfigFile, gid int) error {
	if err := MakeConfigDir(dir, gid); err != nil {
		return err
	}
	values := filepath.Join(dir, ConfigDir, f.Name+".json")
	if err := writeShared(values, f.Data, gid); err != nil {
		return err
	}
	return writeShared(values+".version", []byte(strconv.Itoa(f.Version)+"\n"), gid)
}

// MakeConfigDir makes dir/config, the server's, readable by group gid
// (by everyone when gid is negative). The container driver makes it
// before the first config exists: a bind needs its source.
func MakeConfigDir(dir string, gid int) error {
	cdir := filepath.Join(dir, ConfigDir)
	mode := os.FileMode(0o755)
	if gid >= 0 {
		mode = 0o750
	}
	if err := os.Mkdir(cdir, mode); err != nil && !os.IsExist(err) {
		return err
	}
	if gid >= 0 {
		if err := os.Lchown(cdir, os.Geteuid(), gid); err != nil {
			return err
		}
	}
	return os.Chmod(cdir, mode) // Mkdir's mode is masked by the umask
}

// writeShared writes path atomically, readable by group gid (by
// everyone when gid is negative).
func writeShared(path string, data []byte, gid int) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	mode := os.FileMode(0o644)
	if gid >= 0 {
		mode = 0o640
		if err := tmp.Chown(os.Geteuid(), gid); err != nil {
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
