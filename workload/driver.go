package workload

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// ErrNotFound is returned (wrapped) by Driver methods for an instance the
// driver does not know.
var ErrNotFound = errors.New("instance not found")

// Driver runs instances on a platform. The local driver (workload/process)
// runs processes; a Kubernetes driver would run pods. Every implementation
// passes workloadtest.Run.
//
// A driver keeps what it needs to find its instances again on disk (or in
// the platform), so that a new Driver over the same state adopts the
// instances a previous server started instead of starting them again.
type Driver interface {
	// Start starts the instance described by s and returns once the
	// process exists (not once it is ready). Starting an ID that is
	// already running returns its current Status and no error; starting
	// an ID whose process has ended starts it again in the same working
	// directory, appending to the same logs (a restart).
	Start(ctx context.Context, s InstanceSpec) (Status, error)
	// Stop sends SIGTERM to the instance's process group, waits up to
	// grace for it to end, then sends SIGKILL and waits for it to be
	// gone. It then releases what the instance held (cgroups) but keeps
	// its logs. Stopping an instance that is not running returns nil;
	// ErrNotFound only when the ID was never started.
	Stop(ctx context.Context, id string, grace time.Duration) error
	// Status returns one instance's status, as Observe would (adopting
	// it if an earlier driver started it); ErrNotFound when the driver
	// has no such instance. Controllers call it per instance; it must be
	// cheap.
	Status(ctx context.Context, id string) (Status, error)
	// Observe returns the status of every instance the driver knows,
	// running or ended, including ones started by an earlier driver over
	// the same state (adopted).
	Observe(ctx context.Context) ([]Status, error)
	// Remove forgets an ended instance and deletes its files.
	Remove(ctx context.Context, id string) error
	// Logs returns up to n of the instance's last log lines (stdout and
	// stderr, interleaved as written where possible), oldest first.
	Logs(ctx context.Context, id string, n int) ([]string, error)
}

// Execer is a Driver that can run a command as one of its instances runs
// (same user, limits and working directory): exec health checks and
// slipway exec go through it, so that they never run with the server's
// privileges. ExecStream writes the command's combined output to out as
// the command produces it (slipway exec streams it to the user), from
// one goroutine at a time and not after it returns, and returns the
// command's error; ErrNotFound (wrapped) for an unknown instance.
type Execer interface {
	ExecStream(ctx context.Context, id string, argv []string, out io.Writer) error
}

// ExecOutput runs argv in instance id through x and returns the
// command's combined output once it ends (an exec health check's).
func ExecOutput(ctx context.Context, x Execer, id string, argv []string) ([]byte, error) {
	var out bytes.Buffer
	err := x.ExecStream(ctx, id, argv, &out)
	return out.Bytes(), err
}

// InstanceSpec is everything a driver needs to start one instance.
type InstanceSpec struct {
	// ID is unique across the server, e.g. "invoice-3-7f2c".
	ID       string
	Service  string
	Revision int
	// Port is the instance's own port, also in Env as PORT.
	Port int
	// Command is the program and arguments, already expanded.
	Command []string
	// Env is the complete environment (the server's is not inherited).
	Env map[string]string
	// SecretEnv names the variables of Env whose values hold secrets: a
	// driver gives them to the process but never writes them to disk
	// (its records keep Redacted()).
	SecretEnv []string
	// Resources are cgroup limits; zero values mean unlimited.
	Resources spec.Resources
	// Artifact, when set, is a file a copy of which is placed at
	// ArtifactPath (relative) in the instance's working directory,
	// executable and read-only to the instance. ArtifactDigest, when set,
	// is the digest ("sha256:...") the copy must have, else Start fails.
	Artifact       string
	ArtifactPath   string
	ArtifactDigest string
	// User is who the instance runs as when the server is root: "NAME",
	// "UID", either with ":GID"; "" is a dynamic user of the service's
	// own. A server that is not root runs instances as its own user.
	User string
	// Mounts are the volumes the instance sees (volume.go).
	Mounts []Mount
	// Image, when set, runs the instance as a container of an unpacked
	// OCI image (workload/container) instead of a host process; Command
	// is then the program inside the image, already resolved from the
	// spec's command or the image's entrypoint and cmd, and Artifact is
	// unused.
	Image *Image
	// RecordExit asks the driver to record how the instance ends even
	// when the server is not running then (a job run, whose outcome must
	// not be lost to a server's kill -9, else it would run twice). The
	// container driver always does (its monitor); the process driver
	// then starts the process through a monitor of its own.
	RecordExit bool `json:",omitempty"`
	// Configs are dynamic configuration files written before the
	// process starts, where ConfigWriter.ConfigPath says (the controller
	// names that path in Env). Not kept in the driver's records.
	Configs []ConfigFile `json:"-"`
}

// ConfigFile is one dynamic configuration an instance reads: its values
// (JSON) and the version they are, each in a file of its own.
type ConfigFile struct {
	Name    string
	Version int
	Data    []byte
	// Signal, when not 0, is sent to the instance's process after the
	// files are replaced (by ConfigWriter.WriteConfig, not at start).
	Signal syscall.Signal
}

// ConfigWriter is implemented by drivers that deliver dynamic
// configuration files to their instances.
type ConfigWriter interface {
	// ConfigPath is the path, as instance id sees it, of the file of
	// config name (its version is in the same path + ".version").
	ConfigPath(id, name string) string
	// WriteConfig replaces an instance's config files, each atomically
	// (the version file after the values), then sends f.Signal. An
	// instance the driver does not know is ErrNotFound.
	WriteConfig(ctx context.Context, id string, f ConfigFile) error
}

// Redacted returns s without the values of SecretEnv: what a driver
// may write to disk.
func (s InstanceSpec) Redacted() InstanceSpec {
	if len(s.SecretEnv) == 0 {
		return s
	}
	env := make(map[string]string, len(s.Env))
	for k, v := range s.Env {
		if !slices.Contains(s.SecretEnv, k) {
			env[k] = v
		}
	}
	s.Env = env
	return s
}

// Image is an unpacked OCI image an instance runs in.
type Image struct {
	// Digest is the image's manifest digest ("sha256:...").
	Digest string
	// Rootfs is the unpacked root filesystem, shared read-only by every
	// instance of the image.
	Rootfs string
	// User is the image config's user ("" when the image sets none);
	// an image whose user is root or unset runs as InstanceSpec.User.
	User string
	// WorkingDir is the image config's working directory ("" = "/").
	WorkingDir string
}

// Status is what the driver observes of one instance.
type Status struct {
	ID string
	// Running is true while the process (group leader) is alive.
	Running bool
	PID     int
	// StartTime is the process start time in clock ticks since boot
	// (/proc/PID/stat field 22); with PID it identifies the process.
	StartTime uint64
	// Exit describes how the process ended ("exit status 1", "signal:
	// killed", or "ended while not watched" for an adopted process whose
	// status cannot be known). Empty while running.
	Exit string
	// ExitedAt is when the driver noticed the end.
	ExitedAt time.Time
	// Dir is the instance's working directory.
	Dir string
}

// ExitOK is the Exit of a process that exited with status 0.
const ExitOK = "exit status 0"

// exitUnknown starts the Exit of an adopted process that ended while no
// driver watched it (both drivers say "ended while not watched (exit
// status unknown)").
const exitUnknown = "ended while not watched"

// Succeeded reports whether the process ended with exit status 0.
func (s Status) Succeeded() bool { return !s.Running && s.Exit == ExitOK }

// EndUnknown reports whether the process ended with an outcome nobody
// saw (it ended while no server ran, and no monitor recorded it).
func (s Status) EndUnknown() bool { return !s.Running && strings.HasPrefix(s.Exit, exitUnknown) }
