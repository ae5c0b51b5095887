package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/instdir"
)

// recordVersion is the version of instance.json this code writes.
const recordVersion = 1

// Files of an instance directory, beside work/ and the logs.
const (
	recordFile  = "instance.json" // the driver's record
	pidFile     = "container.pid" // written by the runtime: the container's init, host PID
	runtimeLog  = "runtime.log"   // the runtime's own messages
	bundleDir   = "bundle"        // config.json
	artifactDir = "artifact"      // the instance's copy of its artifact
	overlayDir  = "overlay"       // overlay's scratch when work/ is an upper layer
)

// Phase is where an instance is in its life, as recorded in instance.json.
//
//	starting --monitor says started--> running --exit.json / gone--> ended
//	ended --Start--> starting
//	starting --(server died; no monitor, no container)--> ended
type Phase string

// The phases of an instance.
const (
	PhaseStarting Phase = "starting" // monitor started; container PID not known yet
	PhaseRunning  Phase = "running"  // PID and StartTime identify the container's init
	PhaseEnded    Phase = "ended"    // Exit and ExitedAt say how and when
)

// record is the stored shape of instance.json: its own versioned type.
type record struct {
	Version   int    `json:"version"`
	Phase     Phase  `json:"phase"`
	PID       int    `json:"pid"`       // the container's init, host PID
	StartTime uint64 `json:"startTime"` // ticks since boot
	// MonitorPID and MonitorStart identify the monitor, which outlives
	// the server and records the exit status.
	MonitorPID   int                   `json:"monitorPid"`
	MonitorStart uint64                `json:"monitorStart"`
	StartedAt    time.Time             `json:"startedAt"`
	Exit         string                `json:"exit,omitempty"`
	ExitedAt     time.Time             `json:"exitedAt,omitzero"`
	UID          uint32                `json:"uid"`
	GID          uint32                `json:"gid"`
	Spec         workload.InstanceSpec `json:"spec"`
}

// readRecord reads dir/instance.json.
func readRecord(dir string) (record, error) {
	var r record
	data, err := os.ReadFile(filepath.Join(dir, recordFile))
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("decode %s: %w", filepath.Join(dir, recordFile), err)
	}
	if r.Version != recordVersion {
		return r, fmt.Errorf("decode %s: unknown version %d", dir, r.Version)
	}
	return r, nil
}

// writeRecord replaces dir/instance.json atomically.
func writeRecord(dir string, r record) error {
	r.Version = recordVersion
	r.Spec = r.Spec.Redacted() // the bundle's config.json holds the environment runc needs
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, recordFile), data)
}

// clearRun removes what a previous run of the instance left: its exit
// status and PID file.
func clearRun(dir string) error {
	var errs []error
	for _, f := range []string{instdir.ExitFile, pidFile, runtimeLog} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
