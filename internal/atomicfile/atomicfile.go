// Package atomicfile writes files so that a crash at any moment leaves
// the old content or the new, never a torn file, and (WriteFile) the
// rename itself survives a power cut; ReplaceVolatile only as long as the
// host stays up.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile writes data to path through a temporary file in the same
// directory, synced, then renamed over path; the directory is synced
// after the rename.
func WriteFile(path string, data []byte) error {
	if err := Replace(path, data); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// Replace is WriteFile without the directory's sync: path holds the old
// content or the new, each whole, whatever crashes, but after a power cut
// it may hold the old.
func Replace(path string, data []byte) error {
	return replace(path, data, true)
}

// ReplaceVolatile is Replace without the file's sync either: a crash of
// the process leaves the old content or the new, each whole (the rename is
// atomic, the page cache outlives the process), but a crash of the host
// may leave path empty or torn. It is for a file whose content matters
// only while the host stays up (what a process that a reboot ends is
// doing), whose reader takes a torn file for "the host crashed": it costs
// no wait on the disk.
func ReplaceVolatile(path string, data []byte) error {
	return replace(path, data, false)
}

// replace writes data to a temporary file beside path (synced if sync)
// and renames it over path.
func replace(path string, data []byte, sync bool) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// SyncDir makes a rename in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
