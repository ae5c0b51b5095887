package instdir

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
)

// TestReadStarted runs the protocol over a real pipe: warnings are
// handed on, "ok PID" and "error: WHY" end it, anything else (or a
// monitor that closes the pipe without a word) is an error that quotes
// what was said.
func TestReadStarted(t *testing.T) {
	cases := []struct {
		name  string
		write func(w *os.File)
		pid   int
		err   string
		warns []string
	}{
		{"started", func(w *os.File) { ReportStarted(w, 42) }, 42, "", nil},
		{"warned, then started", func(w *os.File) {
			ReportWarning(w, errors.New("no mount namespace"))
			ReportStarted(w, 7)
		}, 7, "", []string{"no mount namespace"}},
		{"failed", func(w *os.File) { ReportFailed(w, errors.New("exec: not found\nat all")) }, 0, "exec: not found at all", nil},
		{"silent", func(w *os.File) {}, 0, `monitor said "": EOF`, nil},
		{"garbage", func(w *os.File) { w.WriteString("ok nope\n") }, 0, `monitor said "ok nope"`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			c.write(w)
			w.Close()
			var warns []string
			pid, err := ReadStarted(context.Background(), r, func(err error) { warns = append(warns, err.Error()) })
			if pid != c.pid || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
				t.Errorf("ReadStarted = %d, %v; want %d, %q", pid, err, c.pid, c.err)
			}
			if strings.Join(warns, "|") != strings.Join(c.warns, "|") {
				t.Errorf("warnings %q, want %q", warns, c.warns)
			}
		})
	}
}

// TestReadStartedGivesUp checks that a monitor that says nothing and
// keeps its end open does not hold the driver past the deadline.
func TestReadStartedGivesUp(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ReadStarted(ctx, r, func(error) {}); err == nil {
		t.Fatal("ReadStarted returned without a word from the monitor")
	}
}

// TestExitUnwatchedIsEndUnknown ties the words of an unseen end to the
// predicate the job controller reads.
func TestExitUnwatchedIsEndUnknown(t *testing.T) {
	if !(workload.Status{Exit: ExitUnwatched}).EndUnknown() {
		t.Fatalf("%q is not EndUnknown", ExitUnwatched)
	}
}

// TestExitRoundTrip writes, reads and clears exit.json.
func TestExitRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, ok := ReadExit(dir); ok {
		t.Fatal("exit read from an empty directory")
	}
	at := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	if err := WriteExit(dir, Exit{Exit: "exit status 3", ExitedAt: at}); err != nil {
		t.Fatal(err)
	}
	if e, ok := ReadExit(dir); !ok || e.Exit != "exit status 3" || !e.ExitedAt.Equal(at) {
		t.Fatalf("ReadExit = %+v, %v", e, ok)
	}
	if err := ClearExit(dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := ReadExit(dir); ok {
		t.Fatal("exit read after ClearExit")
	}
	if err := ClearExit(dir); err != nil {
		t.Fatalf("ClearExit of nothing: %v", err)
	}
}
