package container

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/slipway-dev/slipway/spec"
)

func TestRuntimeConfig(t *testing.T) {
	base := bundle{ID: "a-1", Rootfs: "/img/root", Args: []string{"/app"}, Env: []string{"PORT=1"}, UID: 61200, GID: 61200,
		WorkDir: "/work", Work: "/data/a-1/work", Resources: spec.Resources{PIDs: 64}, CgroupsPath: "/slipway/container-a-1",
		HostFiles: []string{"/etc/resolv.conf"}, NoFile: 4096}
	c := runtimeConfig(base)
	var ns []specs.LinuxNamespaceType
	for _, n := range c.Linux.Namespaces {
		ns = append(ns, n.Type)
	}
	if slices.Contains(ns, specs.NetworkNamespace) || !slices.Contains(ns, specs.PIDNamespace) || !slices.Contains(ns, specs.MountNamespace) {
		t.Errorf("namespaces %v: want pid, mount, uts, ipc and the host's network", ns)
	}
	if !c.Root.Readonly || c.Root.Path != "/img/root" || !c.Process.NoNewPrivileges {
		t.Errorf("root %+v, no_new_privs %v", c.Root, c.Process.NoNewPrivileges)
	}
	if caps := c.Process.Capabilities; len(caps.Bounding)+len(caps.Effective)+len(caps.Permitted)+len(caps.Inheritable)+len(caps.Ambient) != 0 {
		t.Errorf("capabilities %+v, want none", caps)
	}
	if c.Process.User.UID != 61200 || c.Process.Cwd != "/work" || c.Linux.Resources.Pids.Limit != 64 || c.Linux.Resources.Memory != nil {
		t.Errorf("process %+v, resources %+v", c.Process, c.Linux.Resources)
	}
	want := map[string]string{"/work": "bind", "/tmp": "tmpfs", "/proc": "proc", "/etc/resolv.conf": "bind", "/sys": "sysfs"}
	for _, m := range c.Mounts {
		if typ, ok := want[m.Destination]; ok && typ == m.Type {
			delete(want, m.Destination)
		}
		if m.Destination == "/etc/resolv.conf" && !slices.Contains(m.Options, "ro") {
			t.Errorf("resolv.conf is writable: %v", m.Options)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing mounts %v", want)
	}

	limited := base
	limited.Resources = spec.Resources{CPU: 0.5, Memory: 64 << 20, PIDs: 10}
	limited.Swap, limited.Root = true, true
	limited.Lower, limited.OverlayWork = "/img/root/app", "/data/a-1/overlay"
	c = runtimeConfig(limited)
	r := c.Linux.Resources
	if *r.Memory.Limit != 64<<20 || *r.Memory.Swap != 64<<20 || *r.CPU.Quota != 50000 || *r.CPU.Period != cpuPeriod || r.Pids.Limit != 10 {
		t.Errorf("limits %+v %+v %+v", r.Memory, r.CPU, r.Pids)
	}
	if !slices.Equal(c.Process.Capabilities.Bounding, rootCaps) {
		t.Errorf("root by spec gets %v, want the runtime's minimal set", c.Process.Capabilities.Bounding)
	}
	i := slices.IndexFunc(c.Mounts, func(m specs.Mount) bool { return m.Destination == "/work" })
	if m := c.Mounts[i]; m.Type != "overlay" || !slices.Contains(m.Options, "lowerdir=/img/root/app") || !slices.Contains(m.Options, "upperdir=/data/a-1/work") {
		t.Errorf("work mount over an image directory = %+v, want an overlay", m)
	}
}
