package benchkit

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Fact is one line of a benchmark's header: a label and its value.
type Fact struct{ Label, Value string }

// PrintMachine prints what the numbers were taken on: CPUs, kernel, CPU
// model and the Go toolchain, then each of more, one "label: value" a
// line, aligned, and a blank line.
func PrintMachine(ctx context.Context, w io.Writer, more ...Fact) error {
	kernel, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return fmt.Errorf("read kernel release: %w", err)
	}
	facts := append([]Fact{
		{"machine", fmt.Sprintf("nproc %d, kernel %s, %s", runtime.NumCPU(), strings.TrimSpace(string(kernel)), cpuModel())},
		{"go", ToolVersion(ctx, "go", "version")},
	}, more...)
	for _, f := range facts {
		fmt.Fprintf(w, "%-9s%s\n", f.Label+":", f.Value)
	}
	fmt.Fprintln(w)
	return nil
}

// ToolVersion is the first line a version command prints (on stdout or
// stderr, whatever its exit status: wrk --version exits 1), or "unknown".
func ToolVersion(ctx context.Context, name string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, name, args...).CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if line == "" {
		return "unknown"
	}
	return strings.TrimSpace(line)
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "cpu unknown".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "cpu unknown"
	}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "cpu unknown"
}
