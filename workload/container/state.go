package container

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/slipway-dev/slipway/workload/instdir"
)

// Files of an instance directory, beside work/ and the logs.
const (
	pidFile     = "container.pid" // written by the runtime: the container's init, host PID
	runtimeLog  = "runtime.log"   // the runtime's own messages
	bundleDir   = "bundle"        // config.json
	artifactDir = "artifact"      // the instance's copy of its artifact
	overlayDir  = "overlay"       // overlay's scratch when work/ is an upper layer
)

// record is the stored shape of instance.json: what both local drivers
// record (instdir.Record; PID is the container's init, host PID, and the
// monitor is always there), and the user the container runs as.
// Phases (instdir.Phase):
//
//	starting --monitor says started--> running --exit.json / gone--> ended
//	ended --Start--> starting
//	starting --(server died; no monitor, no container)--> ended
type record struct {
	instdir.Record
	UID uint32 `json:"uid"`
	GID uint32 `json:"gid"`
}

// readRecord reads dir/instance.json.
func readRecord(dir string) (record, error) { return instdir.ReadRecord[record](dir) }

// writeRecord replaces dir/instance.json atomically; the bundle's
// config.json holds the environment runc needs, the record no secret.
func writeRecord(dir string, r record) error { return instdir.WriteRecord(dir, r) }

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
