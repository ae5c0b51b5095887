package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/artifact"
)

// cacheDir is the Driver's directory of verified artifacts, one file per
// digest. Its name starts with a dot, which no instance ID does, so the
// scan for instances passes it by.
const cacheDir = ".artifacts"

// cachedMode is a cached artifact's mode: nobody may write it, and only
// its owner (the server's user) may change that. A cached file is shared
// by instances of different users, so it cannot be group-readable only;
// what keeps other services from it is the path: the cache directory is
// the server's alone (0700) and each instance reaches its link through
// its own artifact directory (0750, its group).
const cachedMode = 0o555

// cacheEntry identifies the file d verified for a digest: a write to it
// (by anyone but root, who can do anything anyway) changes its mtime, and
// a replacement changes its inode. Not its ctime, as the artifact store's
// check has (artifact.Store): every hard link made to the file, one per
// start, moves that, and would make each start hash it again.
type cacheEntry struct {
	ino   uint64
	size  int64
	mtime time.Time
}

// entryOf identifies fi's file, or says it is not one d could have made.
func entryOf(fi os.FileInfo) (cacheEntry, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() || fi.Mode().Perm() != cachedMode || int(st.Uid) != os.Geteuid() {
		return cacheEntry{}, false
	}
	return cacheEntry{ino: st.Ino, size: fi.Size(), mtime: fi.ModTime()}, true
}

// linkable reports whether an instance of user c may get a hard link to
// the cache rather than a copy: only when it runs as a user that is
// neither root nor the server's (nil), as either could change the shared
// file (root anything; the server's user owns it and may chmod it).
func linkable(c *credential, digest string) bool {
	return c != nil && !c.root() && os.Geteuid() == 0 && digest != ""
}

// cached returns the path of a verified read-only copy of src in d's
// cache, filling it when it is missing, or when the file there is not the
// one d verified (changed, replaced, or verified by an earlier server and
// not hashing to digest). The digest is checked once per fill (or once
// per Driver for a file an earlier one left), not per start. d.mu is held.
func (d *Driver) cached(src, digest string) (string, error) {
	name := strings.ReplaceAll(digest, ":", "-")
	if !filepath.IsLocal(name) || strings.ContainsRune(name, filepath.Separator) {
		return "", fmt.Errorf("artifact digest %q is not a file name", digest)
	}
	dir := filepath.Join(d.dir, cacheDir)
	path := filepath.Join(dir, name)
	if d.verifiedCopy(path, digest) {
		return path, nil
	}
	if err := makeCacheDir(dir); err != nil {
		return "", err
	}
	tmp := path + ".fill"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := artifact.CopyFile(src, tmp, digest, cachedMode); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", err
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return "", err
	}
	e, ok := entryOf(fi)
	if !ok {
		return "", fmt.Errorf("cached artifact %s: unexpected mode or owner", path)
	}
	d.cache[digest] = e
	return path, nil
}

// verifiedCopy reports whether path is the file d verified for digest,
// hashing it when d has not seen it yet. A file that is not is removed.
// d.mu is held.
func (d *Driver) verifiedCopy(path, digest string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	e, ok := entryOf(fi)
	if ok {
		if known, seen := d.cache[digest]; seen && known == e {
			return true
		}
		if got, err := artifact.FileDigest(path); err == nil && got == digest {
			d.cache[digest] = e
			return true
		}
	}
	d.opts.Logger.Warn("cached artifact changed; copying it again from the store", "digest", artifact.Short(digest))
	delete(d.cache, digest)
	os.Remove(path) // a failure shows in the fill's rename
	return false
}

// makeCacheDir creates the cache directory, the server's alone.
func makeCacheDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.Chmod(dir, 0o700)
}

// DefaultArtifactGrace is how long an unused cached artifact is kept.
const DefaultArtifactGrace = time.Hour

// sweepEvery is how often Observe sweeps the artifact cache.
const sweepEvery = time.Minute

// SweepArtifacts removes the cached artifacts nothing uses: a file only
// the cache links (link count 1: no instance directory holds a link to
// it) whose inode changed last (ctime: the last link made to it or
// removed from it, or its fill) longer than Options.ArtifactGrace ago,
// and what an interrupted fill left. It holds d.mu, as a start does from
// the cache lookup through its link (placeArtifact), so a start never
// finds a file the sweep is removing: the sweep sees its link, or the
// start fills the cache again. An instance's directory keeps its link
// until Remove, so an ended instance that may restart keeps its
// artifact cached too; a revision started again later (a rollback past
// the grace) fills it again from the store. Observe calls it every
// minute.
func (d *Driver) SweepArtifacts(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sweep()
}

// sweep is SweepArtifacts with d.mu held.
func (d *Driver) sweep() error {
	dir := filepath.Join(d.dir, cacheDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	now := d.now()
	var errs []error
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		if strings.HasSuffix(e.Name(), ".fill") { // fills run under d.mu: this one was cut short
			errs = append(errs, removeFile(path))
			continue
		}
		fi, err := os.Lstat(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok || st.Nlink != 1 || now.Sub(time.Unix(st.Ctim.Unix())) < d.opts.ArtifactGrace {
			continue
		}
		if err := removeFile(path); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(d.cache, strings.Replace(e.Name(), "-", ":", 1))
	}
	return errors.Join(errs...)
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
