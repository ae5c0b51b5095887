package benchkit

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

// buildTimeout bounds `go build` of the programs under test.
const buildTimeout = 5 * time.Minute

// Build says what a workspace builds.
type Build struct {
	TempPattern string   // os.MkdirTemp pattern of the workspace directory
	Packages    []string // packages to build, relative to the module root ("./cmd/slipway")
	Worktree    bool     // build the working tree as it is rather than the committed HEAD
}

// Workspace is a benchmark's temporary directory with the packages of a
// Build built into it, one binary per package named after its directory.
// Close removes it.
type Workspace struct {
	dir    string
	source string
}

// NewWorkspace makes a temporary directory and builds b.Packages into it:
// from the committed HEAD (exported with git archive, so that other
// people's uncommitted edits in a shared checkout are not measured), or
// from the working tree as it is when b.Worktree is set. It reports the
// build on progress.
func NewWorkspace(ctx context.Context, b Build, progress io.Writer) (*Workspace, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", b.TempPattern)
	if err != nil {
		return nil, fmt.Errorf("make temporary directory: %w", err)
	}
	ws := &Workspace{dir: dir}
	if err := ws.build(ctx, root, b, progress); err != nil {
		return nil, errors.Join(err, ws.Close())
	}
	return ws, nil
}

// build builds the packages from root's HEAD or working tree.
func (w *Workspace) build(ctx context.Context, root string, b Build, progress io.Writer) error {
	src := root
	if !b.Worktree {
		src = w.Path("src")
		if err := exportHEAD(ctx, root, src); err != nil {
			return err
		}
	}
	w.source = describeSource(ctx, root, b.Worktree)
	names := make([]string, len(b.Packages))
	for i, p := range b.Packages {
		names[i] = filepath.Base(p)
	}
	fmt.Fprintf(progress, "building %s (%s) ...\n", strings.Join(names, " and "), w.source)
	return goBuild(ctx, src, w.dir, b.Packages...)
}

// Path returns a path inside the workspace; a built binary is
// Path(its package's directory name).
func (w *Workspace) Path(name string) string { return filepath.Join(w.dir, name) }

// Source names what the binaries were built from: "HEAD <short hash>" or
// the working tree, noting uncommitted changes.
func (w *Workspace) Source() string { return w.source }

// Close removes the workspace.
func (w *Workspace) Close() error {
	if err := os.RemoveAll(w.dir); err != nil {
		return fmt.Errorf("remove workspace: %w", err)
	}
	return nil
}

// BuildRevision also builds pkgs as they are at the git revision rev (a
// commit, branch or tag) into the directory Path(name), for a benchmark
// that measures a change against what it changes in the same run. It
// returns the revision's short hash.
func (w *Workspace) BuildRevision(ctx context.Context, rev, name string, progress io.Writer, pkgs ...string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short", "--verify", rev+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("revision %q: not a commit of this repository", rev)
	}
	short := strings.TrimSpace(string(out))
	src := w.Path("src-" + name)
	if err := exportRevision(ctx, root, short, src); err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "building %s at %s ...\n", strings.Join(pkgs, " and "), short)
	return short, goBuild(ctx, src, w.Path(name), pkgs...)
}

// exportHEAD writes the files of root's HEAD commit into dst.
func exportHEAD(ctx context.Context, root, dst string) error {
	return exportRevision(ctx, root, "HEAD", dst)
}

// exportRevision writes the files of root's commit rev into dst.
func exportRevision(ctx context.Context, root, rev, dst string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("export %s: %w", rev, err)
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, rev, dst)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("export %s with git archive (use -worktree outside git): %w\n%s", rev, err, b)
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
