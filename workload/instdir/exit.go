package instdir

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// ExitUnwatched is the Exit of an instance that ended while nothing
// watched it (its monitor, if it had one, gone before it): nobody knows
// its status (workload.Status.EndUnknown).
const ExitUnwatched = "ended while not watched (exit status unknown)"

// ExitFile is the file of an instance's directory where its monitor
// records how the instance ended.
const ExitFile = "exit.json"

// Exit is the stored shape of exit.json: how the instance ended, in the
// words of os.ProcessState.String ("exit status 3", "signal: killed"),
// and when.
type Exit struct {
	Exit     string    `json:"exit"`
	ExitedAt time.Time `json:"exitedAt"`
}

// ReadExit reads dir's exit.json; ok is false while there is none (the
// instance runs, or its monitor died before it).
func ReadExit(dir string) (e Exit, ok bool) {
	data, err := os.ReadFile(filepath.Join(dir, ExitFile))
	if err != nil || json.Unmarshal(data, &e) != nil || e.Exit == "" {
		return Exit{}, false
	}
	return e, true
}

// WriteExit writes dir's exit.json atomically (temp file, fsync,
// rename): a reader sees no file or all of it.
func WriteExit(dir string, e Exit) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, ExitFile), data)
}

// ClearExit removes the exit.json an earlier run of the instance left.
func ClearExit(dir string) error {
	if err := os.Remove(filepath.Join(dir, ExitFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
