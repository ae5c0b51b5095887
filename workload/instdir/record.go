package instdir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
	"github.com/slipway-dev/slipway/workload"
)

// RecordFile is the driver's record of an instance, in its folder.
const RecordFile = "instance.json"

// RecordVersion is the version of instance.json this code writes.
const RecordVersion = 1

// Phase is where an instance is in its life, as recorded in
// instance.json.
//
//	starting --started--> running --exit/stop--> ended --Start--> starting
//	starting --(server died; no process, no monitor left)--> ended
type Phase string

// The phases of an instance.
const (
	PhaseStarting Phase = "starting" // being started; its PID not known yet
	PhaseRunning  Phase = "running"  // PID and StartTime identify the process
	PhaseEnded    Phase = "ended"    // Exit and ExitedAt say how and when
)

// Record is what both drivers record of an instance in instance.json.
// Each driver's record type embeds it beside what only that driver keeps
// (the process driver's user and cgroups, the container's uid and gid),
// so the stored JSON is one flat object: its own versioned type, changed
// only by adding fields or bumping Version.
type Record struct {
	Version   int    `json:"version"`
	Phase     Phase  `json:"phase"`
	PID       int    `json:"pid"`
	StartTime uint64 `json:"startTime"` // ticks since boot
	// MonitorPID and MonitorStart identify the instance's monitor, if it
	// has one: it outlives the server and writes exit.json.
	MonitorPID   int                   `json:"monitorPid,omitempty"`
	MonitorStart uint64                `json:"monitorStart,omitempty"`
	StartedAt    time.Time             `json:"startedAt"`
	Exit         string                `json:"exit,omitempty"`
	ExitedAt     time.Time             `json:"exitedAt,omitzero"`
	Spec         workload.InstanceSpec `json:"spec"`
}

// Status reports the record as a workload.Status; Dir is the instance's
// work folder, dir/work.
func (r Record) Status(dir string) workload.Status {
	return workload.Status{
		ID: r.Spec.ID, Running: r.Phase != PhaseEnded, PID: r.PID, StartTime: r.StartTime,
		Exit: r.Exit, ExitedAt: r.ExitedAt, Dir: filepath.Join(dir, "work"),
	}
}

func (r *Record) header() *Record { return r }

// recordOf is a driver's record type: a pointer to a struct that embeds
// Record.
type recordOf[R any] interface {
	*R
	header() *Record
}

// ErrTorn is returned (wrapped) by ReadRecord for an instance.json that
// is empty or stops mid-JSON: WriteRecord leaves one only when the host
// crashed after it wrote, so the instance ended with the host.
var ErrTorn = errors.New("record torn by a crash of the host")

// ExitTorn is the Exit of an instance whose record was torn (Load).
const ExitTorn = "ended with the host: its record was torn by the host's crash"

// ReadRecord reads dir/instance.json into a driver's record type R.
func ReadRecord[R any, P recordOf[R]](dir string) (R, error) {
	var r R
	path := filepath.Join(dir, RecordFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, P(&r)); err != nil {
		if torn(data, err) {
			err = ErrTorn
		}
		return r, fmt.Errorf("decode %s: %w", path, err)
	}
	if v := P(&r).header().Version; v != RecordVersion {
		return r, fmt.Errorf("decode %s: unknown version %d", path, v)
	}
	return r, nil
}

// torn reports whether data, which err says is no record, is a record cut
// short (empty, or JSON that ends too soon), as a write the host's crash
// interrupted leaves it, rather than something else.
func torn(data []byte, err error) bool {
	var syntax *json.SyntaxError
	return len(bytes.TrimSpace(data)) == 0 || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &syntax) && syntax.Offset >= int64(len(data)) ||
		bytes.IndexByte(data, 0) >= 0 // a file the crash left with its length but not its blocks
}

// WriteRecord replaces dir/instance.json atomically (temp file, rename),
// without the values of the spec's secrets: those live in the process (or
// the container's bundle), never in the record. Nothing waits on the disk
// (atomicfile.ReplaceVolatile): the record identifies processes, which a
// crash of the host ends, so a record that crash tore is read as ended
// (Load, ErrTorn), and the old record or the new as what it says (a host
// restart is noticed and restarts instances from the store). A Start
// writes two records, one on its way to the fork: a cold start no longer
// waits on the disk for either (1-8 ms each on a quiet disk, up to 140 ms
// on a busy one).
func WriteRecord[R any, P recordOf[R]](dir string, r R) error {
	h := P(&r).header()
	h.Version = RecordVersion
	h.Spec = h.Spec.Redacted() // a copy: the caller's record keeps its values
	data, err := json.MarshalIndent(P(&r), "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.ReplaceVolatile(filepath.Join(dir, RecordFile), data)
}

// Load reads instance id's record from dir/id, for a driver that has not
// seen the instance yet (adopting it): workload.ErrNotFound when there is
// none, an error when the record names another instance. A torn record
// (ErrTorn) is an instance that ended with the host, ExitTorn: a Start
// starts it again, a Remove removes it.
func Load[R any, P recordOf[R]](dir, id string) (R, error) {
	path := filepath.Join(dir, id)
	rec, err := ReadRecord[R, P](path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return rec, workload.ErrNotFound
	case errors.Is(err, ErrTorn):
		var lost R
		h := P(&lost).header()
		h.Version, h.Phase, h.Exit, h.Spec.ID = RecordVersion, PhaseEnded, ExitTorn, id
		return lost, nil
	case err != nil:
		return rec, err
	case P(&rec).header().Spec.ID != id:
		return rec, fmt.Errorf("%s: record is for instance %q", path, P(&rec).header().Spec.ID)
	}
	return rec, nil
}

// Unseen lists the folders of dir that known does not know, each maybe
// an instance a driver has not adopted yet (Load says). A dir that does
// not exist yet has none.
func Unseen(dir string, known func(id string) bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && !known(e.Name()) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}
