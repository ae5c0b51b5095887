package instdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/workload"
)

// TestTornRecordIsAnInstanceThatEndedWithTheHost: WriteRecord waits on
// no disk, so a crash of the host may leave instance.json empty, cut
// short or zero-filled; Load reads each as an ended instance, and
// anything else that is no record stays an error.
func TestTornRecordIsAnInstanceThatEndedWithTheHost(t *testing.T) {
	dir := t.TempDir()
	full := Record{Phase: PhaseRunning, PID: 42, StartTime: 7, Spec: workload.InstanceSpec{ID: "web-1", Port: 8080}}
	if err := WriteRecord(filepath.Join(dir, "web-1"), full); err == nil {
		t.Fatal("WriteRecord into a missing folder succeeded")
	}
	if err := os.Mkdir(filepath.Join(dir, "web-1"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteRecord(filepath.Join(dir, "web-1"), full); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "web-1", RecordFile))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load[Record](dir, "web-1")
	if err != nil || got.Phase != PhaseRunning || got.PID != 42 {
		t.Fatalf("whole record: %+v, %v", got, err)
	}
	for name, content := range map[string][]byte{
		"empty":       nil,
		"blank":       []byte("\n"),
		"cut short":   data[:len(data)/2],
		"zero-filled": make([]byte, len(data)),
		"zeros after": append(append([]byte{}, data[:len(data)/3]...), make([]byte, 100)...),
	} {
		write(t, dir, content)
		if _, err := ReadRecord[Record](filepath.Join(dir, "web-1")); !errors.Is(err, ErrTorn) {
			t.Errorf("%s: ReadRecord = %v, want ErrTorn", name, err)
		}
		got, err := Load[Record](dir, "web-1")
		if err != nil || got.Phase != PhaseEnded || got.Exit != ExitTorn || got.Spec.ID != "web-1" || got.Version != RecordVersion {
			t.Errorf("%s: Load = %+v, %v; want an ended instance web-1", name, got, err)
		}
	}
	for name, content := range map[string]string{
		"a newer release's": strings.Replace(string(data), `"version": 1`, `"version": 9`, 1),
		"not a record":      `["web-1"]`,
		"wrong type":        strings.Replace(string(data), `"pid": 42`, `"pid": "42"`, 1),
		"another instance":  strings.Replace(string(data), `"ID": "web-1"`, `"ID": "web-2"`, 1),
	} {
		write(t, dir, []byte(content))
		if got, err := Load[Record](dir, "web-1"); err == nil || errors.Is(err, ErrTorn) {
			t.Errorf("%s: Load = %+v, %v; want an error other than ErrTorn", name, got, err)
		}
	}
}

func write(t *testing.T, dir string, content []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "web-1", RecordFile), content, 0o600); err != nil {
		t.Fatal(err)
	}
}
