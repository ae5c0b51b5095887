package instdir

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// StartTimeout bounds the wait for a monitor to say whether its instance
// started, when the caller's context sets no deadline.
const StartTimeout = 30 * time.Second

// The monitor's status protocol, on a pipe from the monitor to the
// driver: any number of "warn: WHY" lines, then one "ok PID" (the
// instance runs as PID) or "error: WHY" (it did not start).

// ReportStarted says that the instance runs as pid.
func ReportStarted(w io.Writer, pid int) { fmt.Fprintf(w, "ok %d\n", pid) }

// ReportFailed says why the instance did not start.
func ReportFailed(w io.Writer, err error) { fmt.Fprintf(w, "error: %s\n", oneLine(err.Error())) }

// ReportWarning passes on something the driver should log; the start
// goes on.
func ReportWarning(w io.Writer, err error) { fmt.Fprintf(w, "warn: %s\n", oneLine(err.Error())) }

// ReadStarted reads a monitor's status until it says "ok PID" or "error:
// WHY", handing each warning to warn; it gives up at ctx's deadline, or
// after StartTimeout without one.
func ReadStarted(ctx context.Context, r *os.File, warn func(error)) (int, error) {
	deadline := time.Now().Add(StartTimeout)
	if dl, ok := ctx.Deadline(); ok {
		deadline = dl
	}
	_ = r.SetReadDeadline(deadline) // a pipe made by os.Pipe is pollable
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimSpace(line)
		if msg, ok := strings.CutPrefix(line, "warn: "); ok && err == nil {
			warn(errors.New(msg))
			continue
		}
		if rest, ok := strings.CutPrefix(line, "ok "); ok {
			if pid, perr := strconv.Atoi(rest); perr == nil && pid > 0 {
				return pid, nil
			}
		}
		if msg, ok := strings.CutPrefix(line, "error: "); ok {
			return 0, errors.New(msg)
		}
		return 0, fmt.Errorf("monitor said %q: %v", line, err)
	}
}

// oneLine keeps a message on one line of the protocol.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
