package container

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
)

// configMount is where a container sees its config files (the instance
// directory's instdir.ConfigDir, bound read-only): the path a process
// instance of a root server sees its own at, so that one path
// (workload.Multi's ConfigPath) names both.
var configMount = filepath.Join(process.InstanceMount, instdir.ConfigDir)

var _ workload.ConfigWriter = (*Driver)(nil)

// ConfigPath implements workload.ConfigWriter: the path inside the
// container.
func (d *Driver) ConfigPath(_, name string) string {
	return filepath.Join(configMount, name+".json")
}

// WriteConfig implements workload.ConfigWriter (instdir.DeliverConfig):
// the files on the host, seen at once through the bind, then the signal
// to the container's init (delivered when it handles it: an init ignores
// the rest).
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
	return instdir.DeliverConfig(id, dir, int(gid), f, func() int { return d.runningPID(inst) })
}

// runningPID is the PID of inst's init while it runs, else 0.
func (d *Driver) runningPID(inst *instance) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refresh(inst)
	if inst.rec.Phase != instdir.PhaseRunning {
		return 0
	}
	return inst.rec.PID
}
