package container

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
	"github.com/slipway-dev/slipway/workload/process"
)

// ErrNoRuntime is returned (wrapped) by Start when no OCI runtime is
// installed.
var ErrNoRuntime = errors.New("no OCI runtime: install runc (apt-get install runc)")

// ErrNotRoot is returned (wrapped) by Start when the server is not root:
// the runtime needs root to make namespaces, mounts and cgroups.
var ErrNotRoot = errors.New("running an image needs a server running as root (the OCI runtime makes namespaces, mounts and cgroups)")

// ErrRunning is returned (wrapped) by Remove for an instance that has not
// ended.
var ErrRunning = errors.New("instance is running")

// DefaultWorkDir is where an instance's writable directory appears, and
// its working directory, when the image sets no WorkingDir.
const DefaultWorkDir = "/work"

// Options configure a Driver. The zero value is usable.
type Options struct {
	// Logger receives warnings (default slog.Default()).
	Logger *slog.Logger
	// Runtime is the OCI runtime's name or path; "" picks crun on a
	// cgroup v2 host when installed, else runc.
	Runtime string
	// LogLimit caps each of stdout.log and stderr.log (default
	// process.DefaultLogLimit).
	LogLimit int64
	// CgroupRoot is where the cgroup hierarchy is mounted (default
	// /sys/fs/cgroup): it tells v1 from v2.
	CgroupRoot string
	// Clock stamps start and exit times (default the wall clock).
	Clock clock.Clock
	// Users and UserScope pick each service's dynamic user, shared with
	// the process driver (see process.Options).
	Users     *process.Users
	UserScope string
	// Monitor is the binary re-executed as each container's monitor
	// (default: this program, os.Executable).
	Monitor string
}

// Driver runs instances as containers through an OCI runtime. It is safe
// for concurrent use; two Drivers must not manage one directory at once,
// and a Driver that replaces another adopts its containers.
type Driver struct {
	dir  string
	opts Options
	// runtime is the OCI runtime's path; runtimeErr why there is none.
	runtime    string
	runtimeErr error
	users      *process.Users

	mu    sync.Mutex // guards insts and the fields of every *instance
	insts map[string]*instance
}

// instance is one container as the Driver knows it.
type instance struct {
	dir string
	rec record
}

var (
	_ workload.Driver = (*Driver)(nil)
	_ workload.Execer = (*Driver)(nil)
)

// New returns a Driver that keeps its containers under dir. It finds the
// runtime but does no other I/O; when none is installed, Err says so and
// Start fails with it, while the rest (Observe of an empty folder) works.
func New(dir string, opts Options) *Driver {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.LogLimit <= 0 {
		opts.LogLimit = process.DefaultLogLimit
	}
	if opts.CgroupRoot == "" {
		opts.CgroupRoot = "/sys/fs/cgroup"
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	d := &Driver{dir: dir, opts: opts, insts: map[string]*instance{}, users: opts.Users}
	if d.users == nil {
		d.users = process.NewUsers(filepath.Join(dir, "users.json"))
	}
	d.runtime, d.runtimeErr = findRuntime(opts.Runtime, cgroupV2(opts.CgroupRoot))
	return d
}

// Err is why the Driver cannot start containers (no runtime), or nil.
func (d *Driver) Err() error { return d.runtimeErr }

// Runtime is the path of the OCI runtime the Driver uses ("" when none).
func (d *Driver) Runtime() string { return d.runtime }

// findRuntime resolves the runtime: the one named, else crun on a cgroup
// v2 host (it refuses hybrid hierarchies), else runc.
func findRuntime(name string, v2 bool) (string, error) {
	candidates := []string{"runc"}
	if name != "" {
		candidates = []string{name}
	} else if v2 {
		candidates = []string{"crun", "runc"}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	if name != "" && name != "runc" {
		return "", fmt.Errorf("OCI runtime %q not found: install it, or runc (apt-get install runc)", name)
	}
	return "", ErrNoRuntime
}

// cgroupV2 reports whether root is a unified (v2) hierarchy.
func cgroupV2(root string) bool {
	_, err := os.Stat(filepath.Join(root, "cgroup.controllers"))
	return err == nil
}

// Open creates the directory and adopts the containers a previous Driver
// left in it. Calling it is optional.
func (d *Driver) Open(ctx context.Context) error {
	if err := os.MkdirAll(d.dir, process.PathMode()); err != nil {
		return fmt.Errorf("open container driver: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.scan()
}

// stateRoot is the runtime's private state root (runc --root): no other
// tool's containers are listed there, nor ours in theirs.
func (d *Driver) stateRoot() string { return filepath.Join(d.dir, ".runtime") }

// Status returns one instance's status, adopting it if d has not seen it.
func (d *Driver) Status(ctx context.Context, id string) (workload.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	inst, err := d.lookup(id)
	if err != nil {
		return workload.Status{}, fmt.Errorf("instance %s: %w", id, err)
	}
	d.refresh(inst)
	return inst.status(), nil
}

// Observe returns every instance's status, sorted by ID, adopting those
// d has not seen, and rotates oversized logs.
func (d *Driver) Observe(ctx context.Context) ([]workload.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.scan(); err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	out := make([]workload.Status, 0, len(d.insts))
	var errs []error
	for _, inst := range d.insts {
		d.refresh(inst)
		out = append(out, inst.status())
		errs = append(errs, process.RotateLogs(inst.dir, d.opts.LogLimit))
	}
	if err := errors.Join(errs...); err != nil {
		d.opts.Logger.Warn("rotate logs", "err", err)
	}
	slices.SortFunc(out, func(a, b workload.Status) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Remove deletes an ended instance's directory and forgets it.
func (d *Driver) Remove(ctx context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	inst, err := d.lookup(id)
	if err != nil {
		return fmt.Errorf("remove instance %s: %w", id, err)
	}
	d.refresh(inst)
	if inst.rec.Phase != instdir.PhaseEnded {
		return fmt.Errorf("remove instance %s: %w", id, ErrRunning)
	}
	d.waitMonitor(inst)
	d.deleteContainer(id)
	if err := os.RemoveAll(inst.dir); err != nil {
		return fmt.Errorf("remove instance %s: %w", id, err)
	}
	delete(d.insts, id)
	return nil
}

// Logs returns up to n of the instance's last log lines, oldest first,
// as the process driver does.
func (d *Driver) Logs(ctx context.Context, id string, n int) ([]string, error) {
	d.mu.Lock()
	inst, err := d.lookup(id)
	d.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("logs of instance %s: %w", id, err)
	}
	lines, err := process.InstanceLogs(inst.dir, n)
	if err != nil {
		return nil, fmt.Errorf("logs of instance %s: %w", id, err)
	}
	return lines, nil
}

// status reports inst as a workload.Status; Dir is its work directory on
// the host.
func (inst *instance) status() workload.Status { return inst.rec.Status(inst.dir) }

// deleteContainer removes the container from the runtime's state (and
// with it its cgroup); a container the runtime does not know is fine.
func (d *Driver) deleteContainer(id string) {
	if d.runtime == "" {
		return
	}
	// runc and crun both keep a container's state in root/<id>/: none,
	// no container (and one exec of the runtime saved per Start).
	if _, err := os.Stat(filepath.Join(d.stateRoot(), id)); errors.Is(err, os.ErrNotExist) {
		return
	}
	out, err := exec.Command(d.runtime, "--root", d.stateRoot(), "delete", "--force", id).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "does not exist") && !strings.Contains(string(out), "not exist") {
		d.opts.Logger.Warn("delete container", "id", id, "err", err, "output", strings.TrimSpace(string(out)))
	}
}

// now is the driver clock's time.
func (d *Driver) now() time.Time { return d.opts.Clock.Now() }
