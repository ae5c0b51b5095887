package container

import (
	"context"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
)

// configDir is the folder of an instance's directory that holds its
// config files (written by process.PlaceConfig, as a process's are),
// bound read-only into the container at configMount.
const configDir = "config"

// configMount is where a container sees its config files: the path a
// process instance of a root server sees its own at, so that one path
// (workload.Multi's ConfigPath) names both.
var configMount = filepath.Join(process.InstanceMount, configDir)

var _ workload.ConfigWriter = (*Driver)(nil)

// ConfigPath implements workload.ConfigWriter: the path inside the
// container.
func (d *Driver) ConfigPath(_, name string) string {
	return filepath.Join(configMount, name+".json")
}

// WriteConfig implements workload.ConfigWriter: the files on the host,
// seen at once through the bind, then the signal to the container's
// init (delivered when it handles it: an init ignores the rest).
func (d *Driver) WriteConfig(_ context.Context, id string, f workload.ConfigFile) error {
	d.mu.Lock()
	inst, err := d.lookup(id)
	var dir string
	var gid uint32
	if err == nil {
		dir, gid = inst.dir, inst.rec.GID
	}
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("write config %s of %s: %w", f.Name, id, err)
	}
	if err := process.PlaceConfig(dir, f, int(gid)); err != nil {
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

// placeConfigs writes the instance's config files before it starts: the
// folder always, so that one added later is seen through the bind.
func placeConfigs(dir string, s workload.InstanceSpec, c credential) error {
	for _, f := range s.Configs {
		if err := process.PlaceConfig(dir, f, int(c.GID)); err != nil {
			return fmt.Errorf("place config %s: %w", f.Name, err)
		}
	}
	return nil
}
