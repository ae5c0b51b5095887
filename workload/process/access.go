package process

import (
	"os"
	"path/filepath"
	"syscall"
)

// runnableBy reports whether the user c could execute path: search
// permission on every directory of the path (as written and as resolved
// through symlinks) and execute permission on the file, by the mode bits
// (owner, group, other) that apply to c. Nil c (the server's user, for
// whom the caller already checked) and root may run anything executable.
func runnableBy(path string, c *credential) bool {
	if c == nil || c.root() {
		return true
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	for _, p := range []string{path, real} {
		for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
			if !permits(dir, c, 0o1) {
				return false
			}
			if dir == "/" || dir == "." {
				break
			}
		}
	}
	return permits(real, c, 0o1)
}

// permits reports whether the mode bits of path grant c the permission
// bit (1 execute/search, 2 write, 4 read) in the class that applies to
// c. Supplementary groups are not consulted: instances have none.
func permits(path string, c *credential, bit uint32) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	perm := uint32(fi.Mode().Perm())
	switch {
	case int(st.Uid) == c.UID:
		return perm>>6&bit != 0
	case int(st.Gid) == c.GID:
		return perm>>3&bit != 0
	default:
		return perm&bit != 0
	}
}
