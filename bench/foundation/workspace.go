package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildTimeout bounds `go build` of the slipway binary.
const buildTimeout = 5 * time.Minute

// workspace is the benchmark's temporary directory and the slipway binary
// built into it. Close removes it.
type workspace struct {
	dir string // temporary directory: binary, data directories
	bin string // absolute path of the slipway binary
}

// newWorkspace makes a temporary directory and builds ./cmd/slipway of
// the current module into it.
func newWorkspace(ctx context.Context, progress io.Writer) (*workspace, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "slipway-bench-")
	if err != nil {
		return nil, fmt.Errorf("make temporary directory: %w", err)
	}
	ws := &workspace{dir: dir, bin: filepath.Join(dir, "slipway")}
	fmt.Fprintln(progress, "building slipway ...")
	if err := goBuild(ctx, root, ws.bin); err != nil {
		_ = ws.Close()
		return nil, err
	}
	return ws, nil
}

// path returns a path inside the workspace.
func (w *workspace) path(name string) string { return filepath.Join(w.dir, name) }

// Close removes the workspace.
func (w *workspace) Close() error {
	if err := os.RemoveAll(w.dir); err != nil {
		return fmt.Errorf("remove workspace: %w", err)
	}
	return nil
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside a Go module: run from the slipway repository")
	}
	return filepath.Dir(mod), nil
}

// goBuild builds ./cmd/slipway under root into out.
func goBuild(ctx context.Context, root, out string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/slipway")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/slipway: %w\n%s", err, b)
	}
	return nil
}
