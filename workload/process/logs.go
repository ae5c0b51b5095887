package process

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// The log files of an instance, in its directory.
const (
	stdoutLog = "stdout.log"
	stderrLog = "stderr.log"
)

// tailChunk is how much tailLines reads at a time, backwards.
const tailChunk = 64 << 10

// openLog opens an instance's log for appending. O_APPEND makes every
// write land at the current end, so the file can be truncated under a
// running writer.
func openLog(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	// Logs can hold secrets: only the server reads them (older ones were
	// created 0644).
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// streamTail reads the last n lines of a stream: its live file and, when
// that holds fewer than n lines, the rotated path.1 before it.
func streamTail(path string, n int) ([]string, error) {
	lines, err := tailLines(path, n)
	if err != nil || len(lines) >= n {
		return lines, err
	}
	older, err := tailLines(path+".1", n-len(lines))
	if err != nil {
		return nil, err
	}
	return append(older, lines...), nil
}

// tailLines returns the last n lines of the file at path, oldest first,
// reading backwards from its end. A missing file has no lines.
func tailLines(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) || n <= 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	var buf []byte
	for pos := end; pos > 0 && bytes.Count(buf, []byte{'\n'}) <= n; {
		size := min(pos, tailChunk)
		pos -= size
		chunk := make([]byte, size)
		if _, err := f.ReadAt(chunk, pos); err != nil && err != io.EOF {
			return nil, err
		}
		buf = append(chunk, buf...)
	}
	return lastLines(buf, n), nil
}

// lastLines splits text into lines and keeps the last n. tailLines reads
// until it has more than n newlines, so a first line cut in the middle is
// never among the last n.
func lastLines(text []byte, n int) []string {
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// InstanceLogs returns the last n lines of the logs in an instance
// directory laid out as this package lays it out (as Driver.Logs):
// workload/container writes the same files, so that slipway logs reads
// both alike. It merges the tails of both streams: stderr lines get the
// prefix "stderr: ", and the stream whose file changed least recently
// comes first, since the two files cannot be interleaved exactly.
func InstanceLogs(dir string, n int) ([]string, error) {
	out, err := streamTail(filepath.Join(dir, stdoutLog), n)
	if err != nil {
		return nil, err
	}
	errLines, err := streamTail(filepath.Join(dir, stderrLog), n)
	if err != nil {
		return nil, err
	}
	for i, l := range errLines {
		errLines[i] = "stderr: " + l
	}
	var lines []string
	if modTime(filepath.Join(dir, stderrLog)).Before(modTime(filepath.Join(dir, stdoutLog))) {
		lines = append(errLines, out...)
	} else {
		lines = append(out, errLines...)
	}
	return lines[max(0, len(lines)-n):], nil
}

// modTime is the file's modification time, zero if it cannot be read.
func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// rotateLog caps the file at path: once it is larger than limit, its last
// half (from a line boundary) goes to path.1, replacing what was there,
// and the live file is truncated. Writers hold it O_APPEND, so they go on
// at the new end. Lines written between the copy and the truncation are
// lost; that window is a few microseconds.
func rotateLog(path string, limit int64) error {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && fi.Size() <= limit) {
		return nil
	}
	if err != nil {
		return err
	}
	data, err := readTail(path, fi.Size(), fi.Size()/2)
	if err != nil {
		return fmt.Errorf("rotate %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path+".1", data); err != nil {
		return fmt.Errorf("rotate %s: %w", path, err)
	}
	return os.Truncate(path, 0)
}

// readTail reads the last keep bytes of a file of the given size, starting
// after the first newline so that no line is cut.
func readTail(path string, size, keep int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data := make([]byte, keep)
	if _, err := f.ReadAt(data, size-keep); err != nil && err != io.EOF {
		return nil, err
	}
	if i := bytes.IndexByte(data, '\n'); i >= 0 && i < len(data)-1 {
		data = data[i+1:]
	}
	return slices.Clip(data), nil
}

// RotateLogs caps both log streams of an instance directory at limit, as
// Driver.Rotate does.
func RotateLogs(dir string, limit int64) error {
	return errors.Join(rotateLog(filepath.Join(dir, stdoutLog), limit), rotateLog(filepath.Join(dir, stderrLog), limit))
}

// OpenLogs opens (creating them, mode 0600) an instance directory's
// stdout.log and stderr.log for appending.
func OpenLogs(dir string) (stdout, stderr *os.File, err error) {
	if stdout, err = openLog(filepath.Join(dir, stdoutLog)); err != nil {
		return nil, nil, err
	}
	if stderr, err = openLog(filepath.Join(dir, stderrLog)); err != nil {
		stdout.Close()
		return nil, nil, err
	}
	return stdout, stderr, nil
}
