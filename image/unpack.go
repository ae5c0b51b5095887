package image

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// Unpack returns the image's root filesystem, unpacking it the first
// time. Callers racing on the same image wait for one unpack; the
// directory appears whole (temp dir, then rename) or not at all. The
// result is shared by every container of the image and must be mounted
// read-only. ErrNotFound when the store has no such image.
func (s *Store) Unpack(ctx context.Context, digest string) (rootfs string, cfg Config, err error) {
	rec, err := s.Get(digest)
	if err != nil {
		return "", Config{}, err
	}
	hexd, _ := digestHex(digest) // Get checked it
	rootfs = filepath.Join(s.dir, "rootfs", hexd)
	lock := s.unpackLock(digest)
	lock.Lock()
	defer lock.Unlock()
	if _, err := os.Stat(rootfs); err == nil {
		// A root unpacked by a release before config files has no
		// mount point for them: it gets one, as Unpack makes it now.
		addConfigMount(rootfs)
		return rootfs, rec.Config, nil
	}
	h, err := v1.NewHash(digest)
	if err != nil {
		return "", Config{}, fmt.Errorf("unpack %s: %w", digest, err)
	}
	img, err := s.layout.Image(h)
	if err != nil {
		return "", Config{}, fmt.Errorf("unpack %s: %w", digest, err)
	}
	if err := unpackAtomic(ctx, img, rootfs, rec.Config.WorkingDir); err != nil {
		return "", Config{}, fmt.Errorf("unpack %s: %w", digest, err)
	}
	return rootfs, rec.Config, nil
}

// unpackLock returns the lock that serializes unpacks of digest.
func (s *Store) unpackLock(digest string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.unpacking[digest]
	if !ok {
		l = &sync.Mutex{}
		s.unpacking[digest] = l
	}
	return l
}

// unpackAtomic extracts img into a temporary sibling of dst and renames
// it to dst. Another process that won the race leaves dst in place, and
// this one's copy is dropped.
func unpackAtomic(ctx context.Context, img v1.Image, dst, workingDir string) error {
	var suffix [8]byte
	_, _ = rand.Read(suffix[:])
	tmp := filepath.Join(filepath.Dir(dst), ".tmp-"+filepath.Base(dst)[:12]+"-"+hex.EncodeToString(suffix[:]))
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	rc := mutate.Extract(img)
	err := Extract(ctx, rc, tmp)
	rc.Close()
	if err == nil {
		err = addMountPoints(tmp, workingDir)
	}
	if err == nil {
		if err = os.Rename(tmp, dst); err != nil && dirExists(dst) {
			err = nil // another process finished first (ENOTEMPTY)
		}
	}
	if err != nil || dirExists(tmp) {
		_ = os.RemoveAll(tmp)
	}
	return err
}

// mountDirs and mountFiles are where a container's runtime mounts
// something (workload/container's work directory is /work, or the
// image's working directory, which Unpack creates too): Unpack
// creates those the image lacks, empty, so that a runtime never creates
// them later in a root filesystem that other containers share.
var (
	mountDirs  = []string{"proc", "dev", "sys", "tmp", "work", "etc"}
	mountFiles = []string{"etc/resolv.conf", "etc/hosts"}
)

// ConfigMountDir is where workload/container binds an instance's config
// files (a process of a root server sees its own there too).
const ConfigMountDir = "run/slipway/instance/config"

// addMountPoints creates the missing mount points in the root
// filesystem at dir, and the image's working directory; a name the image
// already has, whatever it is, stays.
func addMountPoints(dir, workingDir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	if wd, err := cleanName(workingDir); err == nil && wd != "." {
		// A working directory through the image's own symlinks may fail
		// here; the runtime then resolves it inside the root.
		_ = root.MkdirAll(wd, 0o755)
	}
	for _, d := range mountDirs {
		if _, err := root.Lstat(d); errors.Is(err, fs.ErrNotExist) {
			if err := root.Mkdir(d, 0o755); err != nil {
				return err
			}
		}
	}
	configMount(root)
	for _, f := range mountFiles {
		if _, err := root.Lstat(f); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		fi, err := root.Lstat(path.Dir(f))
		if err != nil || !fi.IsDir() {
			continue // etc is the image's symlink: the runtime resolves it inside
		}
		file, err := root.OpenFile(f, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		file.Close()
	}
	return nil
}

// configMount makes ConfigMountDir in root unless it is there. Made
// through the image's own folders only: a /run symlink is left alone,
// and the container then gets no config files.
func configMount(root *os.Root) {
	if _, err := root.Lstat(ConfigMountDir); err == nil {
		return
	}
	if fi, err := root.Lstat("run"); errors.Is(err, fs.ErrNotExist) || err == nil && fi.IsDir() {
		_ = root.MkdirAll(ConfigMountDir, 0o755)
	}
}

// addConfigMount gives the root filesystem at dir its config mount
// point (configMount). The root is shared, but containers mount it
// read-only, so nothing in it was planted by one; a new empty folder
// changes nothing for a running container.
func addConfigMount(dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	defer root.Close()
	configMount(root)
}

// dirExists reports whether dir is there.
func dirExists(dir string) bool {
	_, err := os.Lstat(dir)
	return err == nil
}

// Extract writes the entries of a flattened image tarball (as
// mutate.Extract streams it) into the existing directory dir, never
// outside it: see the package doc. It is exported for tests and tools
// that unpack a stream of their own.
func Extract(ctx context.Context, r io.Reader, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	x := extractor{root: root}
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: read layer: %v", ErrInvalid, err)
		}
		if err := x.entry(hdr, tr); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, hdr.Name, err)
		}
	}
	return x.finish()
}

// extractor writes tar entries through root.
type extractor struct {
	root *os.Root
	// links are hard links whose target comes later in the stream (a
	// lower layer's file, emitted after the upper layer's link).
	links []*tar.Header
}

// entry writes one tar entry.
func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	name, err := cleanName(hdr.Name)
	if err != nil || name == "." {
		return err
	}
	if fi, err := x.root.Lstat(name); err == nil {
		// Already written by an upper layer (or implied by one as a
		// parent directory): the upper one wins. A directory that
		// exists only as a parent takes this entry's owner and mode.
		if hdr.Typeflag == tar.TypeDir && fi.IsDir() {
			return x.meta(name, hdr, true)
		}
		return nil
	}
	if dir := path.Dir(name); dir != "." {
		if err := x.root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := x.root.Mkdir(name, 0o755); err != nil {
			return err
		}
		return x.meta(name, hdr, true)
	case tar.TypeReg, tar.TypeRegA:
		return x.file(name, hdr, r)
	case tar.TypeSymlink:
		if err := x.root.Symlink(hdr.Linkname, name); err != nil {
			return err
		}
		return x.root.Lchown(name, hdr.Uid, hdr.Gid)
	case tar.TypeLink:
		return x.link(name, hdr)
	default:
		return nil // devices, fifos, and anything else: skipped
	}
}

// file writes a regular file; O_EXCL, so an existing name (a symlink
// planted earlier) is never followed.
func (x *extractor) file(name string, hdr *tar.Header, r io.Reader) error {
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return x.meta(name, hdr, false)
}

// link makes a hard link, or defers it while its target is not there yet.
func (x *extractor) link(name string, hdr *tar.Header) error {
	target, err := cleanName(hdr.Linkname)
	if err != nil {
		return err
	}
	err = x.root.Link(target, name)
	if errors.Is(err, fs.ErrNotExist) {
		x.links = append(x.links, hdr)
		return nil
	}
	return err
}

// finish makes the deferred hard links.
func (x *extractor) finish() error {
	for _, hdr := range x.links {
		name, _ := cleanName(hdr.Name)
		target, _ := cleanName(hdr.Linkname)
		if _, err := x.root.Lstat(name); err == nil {
			continue
		}
		if err := x.root.Link(target, name); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, hdr.Name, err)
		}
	}
	return nil
}

// meta sets owner and mode, without setuid and setgid. name was created
// by this extractor as a file or directory (never a symlink), so neither
// call follows a link out of it.
func (x *extractor) meta(name string, hdr *tar.Header, dir bool) error {
	if err := x.root.Lchown(name, hdr.Uid, hdr.Gid); err != nil {
		return err
	}
	mode := fs.FileMode(hdr.Mode).Perm()
	if hdr.Mode&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	return x.root.Chmod(name, mode)
}

// cleanName turns an entry's name into a path relative to the root,
// rejecting any ".." and (since an image's names are all inside it)
// keeping absolute names inside.
func cleanName(n string) (string, error) {
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return "", fmt.Errorf("name %q leaves the image", n)
		}
	}
	clean := path.Clean("/" + n)[1:]
	if clean == "" {
		return ".", nil
	}
	if !filepath.IsLocal(clean) {
		return "", fmt.Errorf("name %q leaves the image", n)
	}
	return clean, nil
}
