package process

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/artifact"
	"github.com/slipway-dev/slipway/workload"
)

// artifactDir is the directory, beside work/, that holds the instance's
// copy of its artifact: owned by the server, read-only to the instance.
const artifactDir = "artifact"

// validID accepts an ID that is a single, ordinary path element: it names
// a directory and a cgroup.
func validID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\x00") || strings.HasPrefix(id, ".") {
		return fmt.Errorf("invalid instance id %q", id)
	}
	return nil
}

// validSpec checks what Start needs from s.
func validSpec(s workload.InstanceSpec) error {
	if err := validID(s.ID); err != nil {
		return err
	}
	if len(s.Command) == 0 || s.Command[0] == "" {
		return errors.New("no command")
	}
	if s.Artifact != "" && !filepath.IsLocal(s.ArtifactPath) {
		return fmt.Errorf("artifact path %q is not a relative path inside the instance", s.ArtifactPath)
	}
	return nil
}

// makeDriverDir creates the Driver's directory, which only the server
// may list (see PathMode).
func makeDriverDir(dir string) error {
	if err := os.MkdirAll(dir, PathMode()); err != nil {
		return err
	}
	return os.Chmod(dir, PathMode())
}

// PathMode is the mode of the directories on the way from the data folder
// to an instance's work directory: 0711 when the server is root, so that
// an instance, running as another user, may pass through them (programs
// use the absolute path of their working directory: getcwd) but list
// none, and 0700 otherwise (instances run as the server's user). What
// they hold is guarded by its own mode: logs and records 0600, each work
// directory 0700 and its instance's own, each artifact copy readable by
// its instance's group only.
func PathMode() os.FileMode {
	if os.Geteuid() == 0 {
		return 0o711
	}
	return 0o700
}

// makeDirs creates the instance's directory (the server's, mode 0711: the
// instance may pass through it to its artifact, not list it) and its work
// directory (the instance's own, mode 0700).
func makeDirs(dir string, c *credential) error {
	if err := makeDriverDir(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		return err
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if err := os.Chmod(work, 0o700); err != nil {
		return err
	}
	return chown(work, c)
}

// chown gives path to c (nothing when c is nil: the server's user).
func chown(path string, c *credential) error {
	if c == nil {
		return nil
	}
	return os.Lchown(path, c.UID, c.GID)
}

// placeArtifact installs s.Artifact, checked against s.ArtifactDigest,
// at dir/artifact/<ArtifactPath> (mode 0555, in directories the server
// owns) and links work/<ArtifactPath> to it, so that the command and
// relative paths find it where they did. It is never a hard link to the
// store: an instance that could change it would change what every later
// instance runs. An instance that runs as a user of its own (neither root
// nor the server's) gets a hard link to d's verified cache (see cached):
// the file is the server's and mode 0555, so that user can change neither
// it nor its link. Any other instance, or a link that fails, gets a fresh
// copy. Each start places it anew, so whatever happened to the last one
// is gone. d.mu is held.
func (d *Driver) placeArtifact(s workload.InstanceSpec, dir string, c *credential) error {
	if s.Artifact == "" {
		return nil
	}
	adir := filepath.Join(dir, artifactDir)
	if err := os.RemoveAll(adir); err != nil {
		return fmt.Errorf("place artifact: %w", err)
	}
	dst := filepath.Join(adir, s.ArtifactPath)
	dirMode, fileMode := artifactModes(c)
	if err := os.MkdirAll(filepath.Dir(dst), dirMode); err != nil {
		return fmt.Errorf("place artifact: %w", err)
	}
	// Before the file: shareWithGroup must not chown a shared inode.
	if err := shareWithGroup(adir, c); err != nil {
		return fmt.Errorf("place artifact: %w", err)
	}
	if !d.linkCached(s, dst, c) {
		if err := artifact.CopyFile(s.Artifact, dst, s.ArtifactDigest, fileMode); err != nil {
			return fmt.Errorf("place artifact: %w", err)
		}
		if err := chownShared(dst, c); err != nil {
			return fmt.Errorf("place artifact: %w", err)
		}
	}
	if err := linkArtifact(filepath.Join(dir, "work"), s.ArtifactPath, dst, c); err != nil {
		return fmt.Errorf("place artifact: %w", err)
	}
	return nil
}

// linkCached hard-links dst to the cached copy of s's artifact when c may
// share it, and reports whether it did; a failure (the store corrupt, the
// cache on another device) is logged and left to the copy. d.mu is held.
func (d *Driver) linkCached(s workload.InstanceSpec, dst string, c *credential) bool {
	if !linkable(c, s.ArtifactDigest) {
		return false
	}
	path, err := d.cached(s.Artifact, s.ArtifactDigest)
	if err == nil {
		err = os.Link(path, dst)
	}
	if err != nil {
		d.opts.Logger.Warn("link cached artifact; copying it", "id", s.ID, "err", err)
		return false
	}
	return true
}

// artifactModes are the modes of the artifact's directories and copy:
// readable and executable by the instance's group (its own) when it runs
// as a user of its own, by everyone otherwise; never writable by it.
func artifactModes(c *credential) (dir, file os.FileMode) {
	if c == nil {
		return 0o755, 0o555
	}
	return 0o750, 0o550
}

// shareWithGroup gives the directories under dir to the server's user
// and c's group (nothing when c is nil), with the modes artifactModes
// says (MkdirAll's are masked by the umask).
func shareWithGroup(dir string, c *credential) error {
	if c == nil {
		return nil
	}
	dirMode, _ := artifactModes(c)
	return filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || !e.IsDir() {
			return err
		}
		if err := chownShared(path, c); err != nil {
			return err
		}
		return os.Chmod(path, dirMode)
	})
}

// chownShared gives path to the server's user and c's group (nothing when
// c is nil).
func chownShared(path string, c *credential) error {
	if c == nil {
		return nil
	}
	return os.Lchown(path, os.Geteuid(), c.GID)
}

// linkArtifact makes work/<rel> a relative symlink to target. The work
// directory is the instance's: its subdirectories are created as its own,
// and any of them that is not a plain directory (a symlink left by the
// instance) is replaced rather than followed.
func linkArtifact(work, rel, target string, c *credential) error {
	parent := work
	parts := strings.Split(filepath.Dir(rel), string(filepath.Separator))
	for _, p := range parts {
		if p == "." {
			continue
		}
		parent = filepath.Join(parent, p)
		if err := plainDir(parent, c); err != nil {
			return err
		}
	}
	link := filepath.Join(work, rel)
	if err := os.RemoveAll(link); err != nil {
		return err
	}
	to, err := filepath.Rel(filepath.Dir(link), target)
	if err != nil {
		return err
	}
	if err := os.Symlink(to, link); err != nil {
		return err
	}
	return chown(link, c)
}

// plainDir makes sure path is a directory, not a symlink, owned by c.
func plainDir(path string, c *credential) error {
	fi, err := os.Lstat(path)
	if err == nil && fi.IsDir() {
		return nil
	}
	if err == nil {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		return err
	}
	return chown(path, c)
}
