package rollout

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// HostRestartWait bounds how long an instance marked after a host
// restart (store.Instance.HostRestart) waits for its service's
// dependencies to be ready: past it, it starts anyway, so that one
// broken dependency does not keep everything after it down.
const HostRestartWait = 5 * time.Minute

// holdForDependencies drops from actions the starts of instances marked
// after a host restart whose service's dependencies are not ready yet:
// after a reboot, services come back in dependency order, each once
// those it depends on serve. It reports whether it held any.
func (c *Controller) holdForDependencies(ctx context.Context, s snapshot, actions []workload.Action, now time.Time) ([]workload.Action, bool, error) {
	held := false
	var deps []string
	depsRead := false
	out := actions[:0:0]
	for _, a := range actions {
		in, ok := findInstance(s.instances, a.ID)
		if a.Kind != workload.Start || !ok || in.HostRestart.IsZero() || !now.Before(in.HostRestart.Add(HostRestartWait)) {
			out = append(out, a)
			continue
		}
		if !depsRead {
			rev, err := c.revision(ctx, in.Service, in.Revision)
			if err != nil {
				return nil, false, err
			}
			deps, depsRead = rev.Spec.DependsOn, true
		}
		waiting, err := c.unready(ctx, deps)
		if err != nil {
			return nil, false, err
		}
		if waiting == "" {
			out = append(out, a)
			continue
		}
		held = true
		c.cfg.Logger.Debug("after the host restart, waiting for a dependency", "instance", in.ID, "dependency", waiting)
	}
	return out, held, nil
}

func findInstance(ins []store.Instance, id string) (store.Instance, bool) {
	i := slices.IndexFunc(ins, func(in store.Instance) bool { return in.ID == id })
	if i < 0 {
		return store.Instance{}, false
	}
	return ins[i], true
}

// unready returns the first of deps that is not ready (fewer ready
// instances of its target revision than it wants), or "".
func (c *Controller) unready(ctx context.Context, deps []string) (string, error) {
	for _, name := range deps {
		d, err := c.read(ctx, name)
		if err != nil {
			return "", err
		}
		if !d.found || d.svc.Removed || d.svc.Revision == 0 {
			continue
		}
		rev, err := c.revision(ctx, name, d.svc.Revision)
		if err != nil {
			return "", err
		}
		ready := 0
		for _, in := range d.instances {
			if in.Revision == d.svc.Revision && in.State == store.InstanceRunning && in.Ready {
				ready++
			}
		}
		if ready < rev.Spec.Replicas() {
			return fmt.Sprintf("%s (%d/%d ready)", name, ready, rev.Spec.Replicas()), nil
		}
	}
	return "", nil
}
