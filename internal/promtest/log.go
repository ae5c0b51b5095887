package promtest

import (
	"bytes"
	"strings"
	"sync"
)

// tailLines is how much of Prometheus's log a failure message shows.
const tailLines = 40

// logBuffer collects the process's output; the exec package's copying
// goroutines write while a test may read.
type logBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// tail returns the last tailLines lines.
func (l *logBuffer) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.buf.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-tailLines):], "\n")
}
