package process

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

var _ workload.ConfigWriter = (*Driver)(nil)

// ConfigPath implements workload.ConfigWriter: under InstanceMount when
// the server is root (the instance sees its directory there), else the
// real path.
func (d *Driver) ConfigPath(id, name string) string {
	rel := filepath.Join(instdir.ConfigDir, name+".json")
	if os.Geteuid() == 0 {
		return filepath.Join(InstanceMount, rel)
	}
	return filepath.Join(d.dir, id, rel)
}

// WriteConfig implements workload.ConfigWriter (instdir.DeliverConfig).
func (d *Driver) WriteConfig(_ context.Context, id string, f workload.ConfigFile) error {
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
	return instdir.DeliverConfig(id, dir, configGroup(user), f, func() int { return d.runningPID(inst) })
}

// runningPID is inst's PID while it runs, else 0.
func (d *Driver) runningPID(inst *instance) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refresh(inst)
	if inst.rec.Phase != instdir.PhaseRunning {
		return 0
	}
	return inst.rec.PID
}

// configGroup is the group that reads the config files of an instance
// run as c: -1 (everyone) when c is nil, the server's own user.
func configGroup(c *credential) int {
	if c == nil {
		return -1
	}
	return c.GID
}
