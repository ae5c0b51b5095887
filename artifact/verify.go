package artifact

import (
	"fmt"
	"os"
	"syscall"
)

// stamp identifies one state of a file: a write or a chmod changes ctime.
type stamp struct {
	ino, size    int64
	ctime, mtime syscall.Timespec
}

// stampOf stats path.
func stampOf(path string) (stamp, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return stamp{}, err
	}
	return stamp{ino: int64(st.Ino), size: st.Size, ctime: st.Ctim, mtime: st.Mtim}, nil
}

// verify checks that the object at path hashes to digest, unless it did
// when last checked and has not changed since. A corrupt object is
// removed: ErrCorrupt names the digest.
func (s *Store) verify(digest, path string) error {
	before, err := stampOf(path)
	if err != nil {
		return fmt.Errorf("check artifact %s: %w", digest, err)
	}
	s.mu.Lock()
	ok := s.verified[digest] == before
	s.mu.Unlock()
	if ok {
		return nil
	}
	got, err := FileDigest(path)
	if err != nil {
		return fmt.Errorf("check artifact %s: %w", digest, err)
	}
	if got != digest {
		s.forget(digest)
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("artifact %s: %w (it hashes to %s); remove it: %w", digest, ErrCorrupt, Short(got), err)
		}
		return fmt.Errorf("artifact %s: %w (it hashes to %s); it was removed: upload it again", digest, ErrCorrupt, Short(got))
	}
	if after, err := stampOf(path); err == nil && after == before {
		s.mu.Lock()
		s.verified[digest] = before
		s.mu.Unlock()
	}
	return nil
}

// forget drops what s remembers of digest.
func (s *Store) forget(digest string) {
	s.mu.Lock()
	delete(s.verified, digest)
	s.mu.Unlock()
}
