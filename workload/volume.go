package workload

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Mount is a volume (a folder on the host that outlives instances) an
// instance sees: a container through a bind mount at At, a process
// through a link At in its working directory.
type Mount struct {
	// Source is the volume's folder on the host, absolute.
	Source string
	// At is where the instance sees it: relative to its working directory,
	// or (containers only) absolute inside the container.
	At string
}

// PrepareVolume makes sure a volume's folder exists and belongs to the
// instance's user (uid, gid; -1 leaves it as it is: a server that is not
// root). Its parents are made root's and 0755, as /var/lib is. Only the
// folder itself changes owner: its contents keep theirs.
func PrepareVolume(source string, uid, gid int) error {
	if !filepath.IsAbs(source) {
		return fmt.Errorf("volume %s: not an absolute path", source)
	}
	if err := os.MkdirAll(filepath.Dir(source), 0o755); err != nil {
		return fmt.Errorf("volume %s: %w", source, err)
	}
	fi, err := os.Lstat(source)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(source, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("volume %s: %w", source, err)
		}
	case err != nil:
		return fmt.Errorf("volume %s: %w", source, err)
	case !fi.IsDir():
		return fmt.Errorf("volume %s: exists and is not a folder (a link or a file): the volume must be a folder of its own", source)
	}
	if uid < 0 {
		return nil
	}
	if err := os.Lchown(source, uid, gid); err != nil {
		return fmt.Errorf("volume %s: give it to the instance's user: %w", source, err)
	}
	return nil
}

// LinkVolume makes work/at a symbolic link to source, making the plain
// folders on the way (owned by uid, gid unless -1). A link already there
// is replaced; anything else there (a folder the instance made) is left
// alone and is an error, so that no instance's data is removed.
func LinkVolume(work, at, source string, uid, gid int) error {
	rel := filepath.Clean(at)
	if filepath.IsAbs(rel) || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Errorf("volume at %s: must be inside the working directory", at)
	}
	p := work
	for _, el := range strings.Split(filepath.Dir(rel), string(filepath.Separator)) {
		if el == "." {
			continue
		}
		p = filepath.Join(p, el)
		fi, err := os.Lstat(p)
		if err == nil && fi.IsDir() {
			continue
		}
		if err == nil {
			return fmt.Errorf("volume at %s: %s is not a folder", at, p)
		}
		if err := os.Mkdir(p, 0o750); err != nil {
			return fmt.Errorf("volume at %s: %w", at, err)
		}
		if uid >= 0 {
			if err := os.Lchown(p, uid, gid); err != nil {
				return fmt.Errorf("volume at %s: %w", at, err)
			}
		}
	}
	link := filepath.Join(work, rel)
	if fi, err := os.Lstat(link); err == nil {
		if fi.Mode()&fs.ModeSymlink == 0 {
			return fmt.Errorf("volume at %s: the working directory has a %s there already; move it away so that the volume can be linked", at, fi.Mode().Type())
		}
		if err := os.Remove(link); err != nil {
			return fmt.Errorf("volume at %s: %w", at, err)
		}
	}
	if err := os.Symlink(source, link); err != nil {
		return fmt.Errorf("volume at %s: %w", at, err)
	}
	if uid >= 0 {
		return os.Lchown(link, uid, gid)
	}
	return nil
}
