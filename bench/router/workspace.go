package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildTimeout bounds `go build` of the helper binaries.
const buildTimeout = 5 * time.Minute

// workspace is the benchmark's temporary directory, with the backend and
// routerproc binaries built into it and nginx's prefix directory. Close
// removes it.
type workspace struct {
	dir    string // temporary directory
	source string // what the binaries were built from
}

// newWorkspace makes a temporary directory and builds the backend and
// routerproc into it: from the committed HEAD (exported with git archive,
// so that other people's uncommitted edits in a shared checkout are not
// measured), or from the working tree as it is when worktree is true.
func newWorkspace(ctx context.Context, worktree bool, progress io.Writer) (*workspace, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "slipway-bench-router-")
	if err != nil {
		return nil, fmt.Errorf("make temporary directory: %w", err)
	}
	ws := &workspace{dir: dir}
	if err := ws.build(ctx, root, worktree, progress); err != nil {
		return nil, errors.Join(err, ws.Close())
	}
	return ws, nil
}

// build builds the helper binaries from root's HEAD or working tree.
func (w *workspace) build(ctx context.Context, root string, worktree bool, progress io.Writer) error {
	src := root
	if !worktree {
		src = w.path("src")
		if err := exportHEAD(ctx, root, src); err != nil {
			return err
		}
	}
	w.source = describeSource(ctx, root, worktree)
	fmt.Fprintf(progress, "building routerproc and backend (%s) ...\n", w.source)
	return goBuild(ctx, src, w.dir, "./bench/router/routerproc", "./bench/router/backend")
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

// exportHEAD writes the files of root's HEAD commit into dst.
func exportHEAD(ctx context.Context, root, dst string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("export HEAD: %w", err)
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", `git -C "$1" archive HEAD | tar -x -C "$2"`, "sh", root, dst)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("export HEAD with git archive (use -worktree outside git): %w\n%s", err, b)
	}
	return nil
}

// describeSource names what was built: "HEAD <short hash>" or the
// working tree, noting uncommitted changes.
func describeSource(ctx context.Context, root string, worktree bool) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	head, _ := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if !worktree {
		return "HEAD " + strings.TrimSpace(string(head))
	}
	dirty, _ := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain").Output()
	if len(dirty) > 0 {
		return "working tree, uncommitted changes over " + strings.TrimSpace(string(head))
	}
	return "working tree at " + strings.TrimSpace(string(head))
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

// goBuild builds the packages under root into the directory out (one
// binary per package, named after its directory).
func goBuild(ctx context.Context, root, out string, pkgs ...string) error {
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", out + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(pkgs, " "), err, b)
	}
	return nil
}
