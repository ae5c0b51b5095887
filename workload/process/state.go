package process

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/workload"
)

// recordVersion is the version of instance.json this code writes.
const recordVersion = 1

// Phase is where an instance is in its life, as recorded in instance.json.
//
//	starting --fork--> running --exit/stop--> ended --Start--> starting
//	starting --(server died, no orphan found, no monitor)--> ended
type Phase string

// The phases of an instance.
const (
	PhaseStarting Phase = "starting" // forking; PID not known yet
	PhaseRunning  Phase = "running"  // PID and StartTime identify the process
	PhaseEnded    Phase = "ended"    // Exit and ExitedAt say how and when
)

// record is the stored shape of instance.json. It is its own versioned
// type: change it only by adding fields or bumping Version.
type record struct {
	Version   int       `json:"version"`
	Phase     Phase     `json:"phase"`
	PID       int       `json:"pid"`
	StartTime uint64    `json:"startTime"` // ticks since boot
	StartedAt time.Time `json:"startedAt"`
	Exit      string    `json:"exit,omitempty"`
	ExitedAt  time.Time `json:"exitedAt,omitzero"`
	// MonitorPID and MonitorStart identify the monitor of an instance
	// whose spec sets RecordExit: its parent, which writes exit.json.
	MonitorPID   int                   `json:"monitorPid,omitempty"`
	MonitorStart uint64                `json:"monitorStart,omitempty"`
	Cgroup       bool                  `json:"cgroup,omitempty"` // has its own cgroups
	User         *credential           `json:"user,omitempty"`   // nil: the server's user
	Spec         workload.InstanceSpec `json:"spec"`
}

// readRecord reads dir/instance.json.
func readRecord(dir string) (record, error) {
	var r record
	data, err := os.ReadFile(filepath.Join(dir, "instance.json"))
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("decode %s: %w", filepath.Join(dir, "instance.json"), err)
	}
	if r.Version != recordVersion {
		return r, fmt.Errorf("decode %s: unknown version %d", dir, r.Version)
	}
	return r, nil
}

// writeRecord replaces dir/instance.json atomically: a temp file, fsync,
// rename, then fsync of the directory.
func writeRecord(dir string, r record) error {
	r.Version = recordVersion
	r.Spec = r.Spec.Redacted() // secrets live in the process, never on disk
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "instance.json"), data)
}
