// Package container is the local platform's workload.Driver for OCI
// images: each instance is a container of an image unpacked by package
// image, run by an OCI runtime (runc by default; crun on a cgroup v2 host
// where it is installed: it refuses hybrid v1 hierarchies), with the same
// logs and adoption as workload/process. workload.Multi puts the two
// drivers side by side.
//
// # Layout
//
// Every instance lives in dir/<id>/:
//
//	work/           the instance's writable directory (its user's, 0700)
//	overlay/        overlay's scratch, when work/ is an upper layer (below)
//	artifact/file   the instance's copy of its artifact, if any (root's, 0555)
//	bundle/config.json  the OCI runtime config (runtimeConfig)
//	stdout.log, stderr.log  the container's output, as workload/process writes them
//	instance.json   the driver's record (container and monitor PIDs, start times)
//	container.pid   the container's init, written by the runtime
//	exit.json       how the container ended, written by its monitor
//	runtime.log     the runtime's own messages (a failed start quotes them)
//
// and dir/.runtime is the runtime's private state root (runc --root): no
// other tool's containers are listed there, nor ours in theirs.
//
// # The container
//
// Its own pid, mount, uts and ipc namespaces; the host's network, where it
// listens on its own PORT as a process would. The root is the image's
// shared root filesystem, read-only. The working directory is the image's
// WorkingDir, or DefaultWorkDir (/work) when it sets none, and is the
// instance's writable work/: a bind mount, or, when the image has files
// there, an overlay with work/ as its upper layer so that they stay
// visible (and a write never reaches the shared root). /tmp is a private
// tmpfs; /proc, /dev, /sys (read-only) and the masked and read-only paths
// are runc's defaults; /etc/resolv.conf and /etc/hosts are the host's,
// read-only. An artifact is mounted read-only at WorkDir/ArtifactPath.
// No capabilities (an instance that is root by its spec keeps runc's
// minimal default three), no_new_privs, an open files limit of 65536 (or
// the server's own, when lower), and cgroup limits from Resources under
// the cgroup /slipway/container-<id> (pids always limited, as processes
// are, to process.DefaultPIDs when the spec sets none; a memory limit
// also caps swap where the kernel accounts it).
//
// The environment is exactly InstanceSpec.Env, except that the runtime
// sets HOME (the user's home in the image's /etc/passwd, else /) when Env
// has none, as every OCI runtime does.
//
// # Users
//
// The server must be root (ErrNotRoot otherwise: the runtime needs it for
// namespaces, mounts and cgroups). The instance runs as InstanceSpec.User
// when the spec names one ("root" is the only way to root), else as the
// image's user when that is not root, else as the service's dynamic user
// (process.Users, shared with the process driver). Names resolve in the
// image's /etc/passwd and /etc/group, read through an os.Root.
//
// # The monitor, and why
//
// An OCI runtime does not wait for a detached container: when `runc run
// --detach` returns, the container's init is orphaned, and its exit
// status goes to whoever reaps it - init, if nothing else - and is lost.
// The process driver has the same problem with adopted processes and
// reports them "ended while not watched". Containers do better, as conmon
// and containerd's shims do: Start re-executes the server's own binary
// (init recognises argv[0] "slipway-container-monitor", so test binaries
// work too) as a small monitor in a session of its own. The monitor makes
// itself a child subreaper, runs the container detached with its own
// stdout and stderr (the instance's log files: no pipe through anything
// that can die) as the container's, tells Start the container's PID over
// a pipe, then waits for the container's init, writes exit.json ("exit
// status 3", "signal: killed"), deletes the container from the runtime's
// state (and with it its cgroup), and exits. It holds no lock and needs
// no server: kill -9 of the server, or a server stopped for an hour,
// loses no exit status. Its cost is one small Go process per container
// (bench/containers measures it with the container's memory).
//
// # Adoption
//
// A new Driver over the same dir reads instance.json. An instance is
// ended when exit.json exists (the real status, whenever it ended), or
// when neither its container's init nor its monitor is alive (PID and
// start time, as process.Alive: a reused PID is not mistaken for it),
// which is reported "ended while not watched". One left "starting" by a
// server that died mid-Start is running if the runtime wrote its PID
// file, ended if its monitor is gone too.
//
// # Stop and exec
//
// Stop sends SIGTERM to the container's init through the runtime, waits
// up to the grace, sends SIGKILL (the kernel then kills the whole pid
// namespace), waits for the monitor's exit.json, and deletes the
// container. A program that is pid 1 and sets no SIGTERM handler does not
// end on SIGTERM (the kernel ignores default-action signals to a
// namespace's init, as under Docker without --init) and is killed after
// the grace. Exec is `runtime exec`: the container's namespaces, user,
// capabilities, no_new_privs, cgroup, working directory and environment.
package container
