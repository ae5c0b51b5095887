package turn

import (
	"bytes"
	"errors"
	"io"
	"runtime/trace"
	"strings"
	"testing"

	xtrace "golang.org/x/exp/trace"
)

// TestWriteReadKeepsItsP: WriteRead's system calls on the non-blocking
// socket never block, so they run without handing the goroutine's P to
// the runtime's syscall state (entersyscall). Those that did let sysmon
// take the P back from a call caught by a busy kernel, start another
// thread for it, and wake itself every 20us after: on the router that
// was a fifth of its CPU and half its context switches (bench/router).
// The runtime's execution trace records each entry into that state.
func TestWriteReadKeepsItsP(t *testing.T) {
	a, peer := pair(t)
	go func() { _, _ = io.Copy(peer, peer) }()
	s := socket(t, a)
	msg, p := []byte("ping"), make([]byte, 64)
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skipf("tracing is on already: %v", err)
	}
	for range 200 {
		if _, _, err := s.WriteRead(msg, p, nil); err != nil {
			trace.Stop()
			t.Fatal(err)
		}
	}
	trace.Stop()
	if n := syscallsFrom(t, &buf, "internal/turn.(*Socket)."); n > 0 {
		t.Errorf("%d of WriteRead's system calls entered the syscall state, want none", n)
	}
}

// syscallsFrom counts the goroutine transitions into the syscall state
// in trace tr made under a function whose name contains fn.
func syscallsFrom(t *testing.T, tr io.Reader, fn string) int {
	t.Helper()
	r, err := xtrace.NewReader(tr)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		ev, err := r.ReadEvent()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Kind() != xtrace.EventStateTransition {
			continue
		}
		st := ev.StateTransition()
		if st.Resource.Kind != xtrace.ResourceGoroutine {
			continue
		}
		if _, to := st.Goroutine(); to != xtrace.GoSyscall {
			continue
		}
		for f := range st.Stack.Frames() {
			if strings.Contains(f.Func, fn) {
				n++
				break
			}
		}
	}
}
