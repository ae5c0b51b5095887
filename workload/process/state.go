package process

import (
	"github.com/slipway-dev/slipway/workload/instdir"
)

// record is the stored shape of instance.json: what both local drivers
// record (instdir.Record: phase, PID and start time, the monitor when the
// spec sets RecordExit, exit, spec), and what only processes have.
// Phases (instdir.Phase):
//
//	starting --fork--> running --exit/stop--> ended --Start--> starting
//	starting --(server died, no orphan found, no monitor)--> ended
type record struct {
	instdir.Record
	Cgroup bool        `json:"cgroup,omitempty"` // has its own cgroups
	User   *credential `json:"user,omitempty"`   // nil: the server's user
}

// readRecord reads dir/instance.json.
func readRecord(dir string) (record, error) { return instdir.ReadRecord[record](dir) }

// writeRecord replaces dir/instance.json atomically, without secrets.
func writeRecord(dir string, r record) error { return instdir.WriteRecord(dir, r) }
