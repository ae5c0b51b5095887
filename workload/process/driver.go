package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

// ErrRunning is returned (wrapped) by Remove for an instance that has not
// ended.
var ErrRunning = errors.New("instance is running")

// DefaultLogLimit is the default size cap of each log stream.
const DefaultLogLimit = 10 << 20

// DefaultPIDs is the pids limit of an instance whose spec sets none: every
// instance runs inside a cgroup of its own, limited at least this way.
const DefaultPIDs = 512

// Options configure a Driver. The zero value is usable.
type Options struct {
	// Logger receives warnings (default slog.Default()).
	Logger *slog.Logger
	// LogLimit caps each of stdout.log and stderr.log, in bytes (default
	// DefaultLogLimit). See Rotate.
	LogLimit int64
	// CgroupRoot is where the cgroup hierarchy is mounted (default
	// /sys/fs/cgroup). Tests point it elsewhere.
	CgroupRoot string
	// Clock stamps start and exit times (default the wall clock).
	Clock clock.Clock
	// Users records the dynamic user of each service when the server is
	// root (default: users.json in the Driver's directory). A server
	// shares one between its Drivers so that no two services share a
	// user.
	Users *Users
	// UserScope prefixes the key of a service's dynamic user (the
	// environment's name), so that the same service name in two
	// environments gets two users.
	UserScope string
	// ArtifactGrace is how long a cached artifact no instance links any
	// more stays in the cache (default DefaultArtifactGrace): a rollback
	// or a scale-up soon after finds it there. See SweepArtifacts.
	ArtifactGrace time.Duration
}

// withDefaults returns o with zero fields set to their defaults.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.LogLimit <= 0 {
		o.LogLimit = DefaultLogLimit
	}
	if o.CgroupRoot == "" {
		o.CgroupRoot = "/sys/fs/cgroup"
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.ArtifactGrace <= 0 {
		o.ArtifactGrace = DefaultArtifactGrace
	}
	return o
}

// Driver runs instances as local processes under one directory. It is
// safe for concurrent use. Two Drivers must not manage the same directory
// at the same time; a Driver that replaces another (a restarted server)
// adopts its instances.
type Driver struct {
	dir  string
	opts Options

	mu sync.Mutex // guards everything below, and the fields of every *instance
	// insts holds every instance known so far, by ID.
	insts map[string]*instance
	// cg is nil when cgroups are unavailable; cgDone says detection ran.
	cg     cgroups
	cgDone bool
	users  *Users
	// cache is what each file of the artifact cache was when verified,
	// by digest (see cached).
	cache map[string]cacheEntry
	// sweptAt is when Observe last swept the artifact cache.
	sweptAt time.Time
	// mountWarned says the lack of mount namespaces was logged.
	mountWarned atomic.Bool
}

// instance is one instance as the Driver knows it.
type instance struct {
	dir string
	rec record
	// done is closed once this Driver has reaped its child; nil for an
	// adopted process, which cannot be waited for.
	done chan struct{}
}

var _ workload.Driver = (*Driver)(nil)

// New returns a Driver that keeps its instances under dir. It does no I/O:
// the directory is created, and earlier instances found, on first use (or
// by Open).
func New(dir string, opts Options) *Driver {
	d := &Driver{dir: dir, opts: opts.withDefaults(), insts: map[string]*instance{}, users: opts.Users, cache: map[string]cacheEntry{}}
	if d.users == nil {
		d.users = NewUsers(filepath.Join(dir, "users.json"))
	}
	return d
}

// Open creates the directory and adopts the instances a previous Driver
// left in it. Calling it is optional: every method finds instances lazily.
func (d *Driver) Open(ctx context.Context) error {
	if err := makeDriverDir(d.dir); err != nil {
		return fmt.Errorf("open driver: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.scan()
}

// Status returns one instance's status, adopting it from disk if d has
// not seen it, and noticing if an adopted process has ended.
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

// Observe returns the status of every instance in the directory, sorted by
// ID. It adopts instances it has not seen, notices adopted processes that
// have ended, rotates oversized logs (see Rotate), and at most every
// minute sweeps the artifact cache (see SweepArtifacts).
func (d *Driver) Observe(ctx context.Context) ([]workload.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.scan(); err != nil {
		return nil, fmt.Errorf("observe: %w", err)
	}
	out := make([]workload.Status, 0, len(d.insts))
	for _, inst := range d.insts {
		d.refresh(inst)
		out = append(out, inst.status())
	}
	if err := d.rotate(); err != nil {
		d.opts.Logger.Warn("rotate logs", "err", err)
	}
	if now := d.now(); now.Sub(d.sweptAt) >= sweepEvery {
		d.sweptAt = now
		if err := d.sweep(); err != nil {
			d.opts.Logger.Warn("sweep artifact cache", "err", err)
		}
	}
	slices.SortFunc(out, func(a, b workload.Status) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Rotate caps every instance's log files at Options.LogLimit: a file
// larger than that keeps its last half in <name>.1 and starts again empty.
// Observe calls it; a server may also call it on a timer.
func (d *Driver) Rotate(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rotate()
}

// rotate is Rotate with d.mu held.
func (d *Driver) rotate() error {
	var errs []error
	for _, inst := range d.insts {
		errs = append(errs, RotateLogs(inst.dir, d.opts.LogLimit))
	}
	return errors.Join(errs...)
}

// Remove deletes an ended instance's directory and forgets it. It fails
// with ErrRunning while the instance runs.
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
	d.releaseCgroups(inst)
	if err := os.RemoveAll(inst.dir); err != nil {
		return fmt.Errorf("remove instance %s: %w", id, err)
	}
	delete(d.insts, id)
	return nil
}

// Logs returns up to n of the instance's last log lines, oldest first.
// Lines from stderr are prefixed "stderr: "; the stream written least
// recently comes first (two files cannot be interleaved exactly).
func (d *Driver) Logs(ctx context.Context, id string, n int) ([]string, error) {
	d.mu.Lock()
	inst, err := d.lookup(id)
	d.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("logs of instance %s: %w", id, err)
	}
	lines, err := InstanceLogs(inst.dir, n)
	if err != nil {
		return nil, fmt.Errorf("logs of instance %s: %w", id, err)
	}
	return lines, nil
}

// status reports inst as a workload.Status. Its Dir is the process's
// working directory, dir/<id>/work.
func (inst *instance) status() workload.Status { return inst.rec.Status(inst.dir) }

// now is the driver clock's time.
func (d *Driver) now() time.Time { return d.opts.Clock.Now() }
