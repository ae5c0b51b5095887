package container

import (
	"path"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/slipway-dev/slipway/spec"
)

// runtimeVersion is the ociVersion config.json declares: the version
// Debian's runc 1.1 implements (it accepts every 1.x config; nothing this
// config uses is newer).
const runtimeVersion = "1.0.2"

// cpuPeriod is the CFS period, in microseconds, of CPU limits.
const cpuPeriod = 100000

// bundle is what one container's runtime config is made of. The fields
// are decided by Start; runtimeConfig only lays them out.
type bundle struct {
	ID       string
	Rootfs   string   // the image's shared root filesystem (mounted read-only)
	Args     []string // the program inside the image
	Env      []string // NAME=value, exactly the instance's
	UID, GID uint32
	// Root says the instance runs as root by its spec; it keeps the
	// runtime's minimal default capabilities, where anyone else has none.
	Root bool
	// WorkDir is where the instance's writable directory appears inside
	// (and its working directory); Work is that directory on the host.
	WorkDir, Work string
	// Lower, when set, is the image's own WorkingDir on the host: the
	// work directory is then an overlay of Work (upper, OverlayWork its
	// scratch) on Lower, so that the image's files there stay visible.
	Lower, OverlayWork string
	// Artifact (host path) is bound read-only at WorkDir/ArtifactPath.
	Artifact, ArtifactPath string
	Resources              spec.Resources
	CgroupsPath            string
	// Swap says the kernel accounts swap, so the memory limit also caps
	// memory+swap (no swapping past the limit).
	Swap bool
	// NoFile is the open files limit (soft and hard).
	NoFile uint64
	// HostFiles are host files bound read-only at the same path inside
	// (/etc/resolv.conf, /etc/hosts), those that exist.
	HostFiles []string
	// Volumes are host folders bound read-write, by destination inside.
	Volumes []specs.Mount
	// Configs, when set, is the host folder of the instance's config
	// files, bound read-only at configMount.
	Configs string
}

// The runtime's default masked and read-only paths (runc spec), hiding
// the host's kernel details from the instance.
var (
	maskedPaths = []string{
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
	}
	readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
	// rootCaps are what an instance that runs as root by its spec keeps:
	// runc's own default set, not Docker's larger one.
	rootCaps = []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
)

// runtimeConfig builds the OCI runtime config of b: its own pid, mount,
// uts and ipc namespaces, the host's network, a read-only root, a
// writable work directory, no capabilities, no_new_privs, and cgroup
// limits. Pure: the table tests read it field by field.
func runtimeConfig(b bundle) *specs.Spec {
	caps := []string{}
	if b.Root {
		caps = rootCaps
	}
	return &specs.Spec{
		Version:  runtimeVersion,
		Hostname: b.ID,
		Root:     &specs.Root{Path: b.Rootfs, Readonly: true},
		Process: &specs.Process{
			Args: b.Args,
			Env:  b.Env,
			Cwd:  b.WorkDir,
			User: specs.User{UID: b.UID, GID: b.GID},
			Capabilities: &specs.LinuxCapabilities{
				Bounding: caps, Effective: caps, Permitted: caps, Inheritable: []string{}, Ambient: []string{},
			},
			NoNewPrivileges: true,
			Rlimits: []specs.POSIXRlimit{
				{Type: "RLIMIT_NOFILE", Hard: b.NoFile, Soft: b.NoFile},
				{Type: "RLIMIT_CORE", Hard: 0, Soft: 0},
			},
		},
		Mounts: mounts(b),
		Linux: &specs.Linux{
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace}, {Type: specs.MountNamespace},
				{Type: specs.UTSNamespace}, {Type: specs.IPCNamespace},
			},
			CgroupsPath:   b.CgroupsPath,
			Resources:     resources(b),
			MaskedPaths:   maskedPaths,
			ReadonlyPaths: readonlyPaths,
		},
	}
}

// mounts are the runtime's default kernel filesystems, a private /tmp,
// the instance's work directory and artifact, and the host's name
// resolution files.
func mounts(b bundle) []specs.Mount {
	ms := []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
		{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "mode=1777", "size=65536k"}},
		workMount(b),
	}
	if b.Artifact != "" {
		ms = append(ms, specs.Mount{Destination: path.Join(b.WorkDir, b.ArtifactPath), Type: "bind", Source: b.Artifact,
			Options: []string{"bind", "ro", "nosuid", "nodev"}})
	}
	if b.Configs != "" {
		ms = append(ms, specs.Mount{Destination: configMount, Type: "bind", Source: b.Configs,
			Options: []string{"bind", "ro", "nosuid", "nodev", "noexec"}})
	}
	for _, f := range b.HostFiles {
		ms = append(ms, specs.Mount{Destination: f, Type: "bind", Source: f, Options: []string{"bind", "ro", "nosuid", "nodev", "noexec"}})
	}
	return append(ms, b.Volumes...)
}

// workMount is the instance's writable work directory: a bind of Work,
// or an overlay of it on the image's own directory there.
func workMount(b bundle) specs.Mount {
	if b.Lower == "" {
		return specs.Mount{Destination: b.WorkDir, Type: "bind", Source: b.Work, Options: []string{"rbind", "rw", "nosuid", "nodev"}}
	}
	return specs.Mount{Destination: b.WorkDir, Type: "overlay", Source: "overlay", Options: []string{
		"lowerdir=" + b.Lower, "upperdir=" + b.Work, "workdir=" + b.OverlayWork, "nosuid", "nodev",
	}}
}

// resources turns the spec's limits into the runtime's: every device
// denied but the runtime's defaults, and cpu, memory (and swap) and pids
// as given; pids always limited.
func resources(b bundle) *specs.LinuxResources {
	r := &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}}}
	if b.Resources.Memory > 0 {
		limit := int64(b.Resources.Memory)
		r.Memory = &specs.LinuxMemory{Limit: &limit}
		if b.Swap {
			r.Memory.Swap = &limit // memory+swap: no swap past the limit
		}
	}
	if b.Resources.CPU > 0 {
		quota, period := max(int64(b.Resources.CPU*cpuPeriod), 1000), uint64(cpuPeriod)
		r.CPU = &specs.LinuxCPU{Quota: &quota, Period: &period}
	}
	pids := int64(b.Resources.PIDs)
	r.Pids = &specs.LinuxPids{Limit: pids}
	return r
}
