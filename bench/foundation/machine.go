package main

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

// printMachine prints what the numbers were taken on: CPUs, kernel, CPU
// model, the Go toolchain that builds the slipway binary and what it was
// built from.
func printMachine(ctx context.Context, w io.Writer, source string) error {
	kernel, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return fmt.Errorf("read kernel release: %w", err)
	}
	goVersion, err := goToolVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "machine: nproc %d, kernel %s, %s\n", runtime.NumCPU(), strings.TrimSpace(string(kernel)), cpuModel())
	fmt.Fprintf(w, "go:      %s\n", goVersion)
	fmt.Fprintf(w, "slipway: %s\n\n", source)
	return nil
}

// goToolVersion is the output of `go version`.
func goToolVersion(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "version").Output()
	if err != nil {
		return "", fmt.Errorf("go version: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
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
