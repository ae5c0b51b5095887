package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// ErrCorrupt means a stored object's bytes no longer hash to its digest
// (a disk error, or someone wrote to it). The store removes such an
// object, so that an upload of the same digest stores it again.
var ErrCorrupt = errors.New("artifact is corrupt: its content does not match its digest")

// CopyFile installs a new file dst with src's content and the given mode:
// a reflink (FICLONE) where the file system shares blocks, else a byte
// copy; never a hard link, so that nothing done to dst reaches src. When
// digest is set, the bytes of dst are hashed and must match it; otherwise
// dst is removed and the error wraps ErrCorrupt, naming the digest.
func CopyFile(src, dst, digest string, mode os.FileMode) error {
	if err := copyBytes(src, dst, mode); err != nil {
		os.Remove(dst)
		return fmt.Errorf("copy artifact: %w", err)
	}
	if digest == "" {
		return nil
	}
	got, err := FileDigest(dst)
	if err != nil {
		os.Remove(dst)
		return fmt.Errorf("copy artifact: %w", err)
	}
	if got != digest {
		os.Remove(dst)
		return fmt.Errorf("artifact %s: %w (it hashes to %s)", digest, ErrCorrupt, Short(got))
	}
	return nil
}

// copyBytes creates dst (which must not exist) with src's content.
func copyBytes(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if unix.IoctlFileClone(int(out.Fd()), int(in.Fd())) != nil {
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// FileDigest hashes a file's content into a digest ("sha256:HEX").
func FileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(h.Sum(nil)), nil
}
