package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/httpapi"
)

// errAnswers means a live server already listens on a socket's path.
var errAnswers = errors.New("another server answers there")

// listenSocket listens on the Unix socket at path, owner-only (mode
// 0600), as the Docker daemon's socket is: who can connect is decided by
// the file system, then by the peer's credentials (see peer). With a
// group (gid >= 0), the socket is the group's too (mode 0660). A stale
// socket file from an earlier run is replaced; any other file is not,
// nor a socket where a server answers (errAnswers).
func listenSocket(path string, gid int) (*ownedSocket, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("--socket %s: %w", path, err)
	}
	if err := clearStale(path); err != nil {
		return nil, fmt.Errorf("--socket %s: %w", path, err)
	}
	old := unix.Umask(0o177) // created 0600: no window where others may connect
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("--socket %s: %w", path, err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false) // ownedSocket removes it, if still ours
	o, err := own(ln, path)
	if err != nil {
		ln.Close()
		return nil, err
	}
	if gid >= 0 {
		if err := shareWithGroup(path, gid); err != nil {
			o.Close() // and its file
			return nil, err
		}
	}
	return o, nil
}

// clearStale removes a stale socket at path (no server answers there).
// Anything else in the way is an error.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return errors.New("a file that is not a socket is in the way")
	}
	if answers(path) {
		return errAnswers
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove the stale socket: %w", err)
	}
	return nil
}

// answers reports whether a server accepts connections on the socket at
// path.
func answers(path string) bool {
	c, err := net.Dial("unix", path)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// shareWithGroup gives the socket at path to group gid, mode 0660.
func shareWithGroup(path string, gid int) error {
	if err := os.Chown(path, -1, gid); err != nil {
		return fmt.Errorf("--socket-group: %w", err)
	}
	if err := os.Chmod(path, 0o660); err != nil {
		return fmt.Errorf("--socket-group: %w", err)
	}
	return nil
}

// lookupGroup returns the gid of group name, -1 for "".
func lookupGroup(name string) (int, error) {
	if name == "" {
		return -1, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return -1, fmt.Errorf("--socket-group %s: %w", name, err)
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return -1, fmt.Errorf("--socket-group %s: gid %q: %w", name, g.Gid, err)
	}
	return gid, nil
}

// peer returns ctx carrying the principal of a Unix socket connection:
// its peer's uid as the kernel reports it (SO_PEERCRED), never what the
// client says. The server's own user, root and the members of
// --socket-group (gid >= 0) are admins; anyone else is known but may do
// nothing.
func peer(ctx context.Context, c net.Conn, gid int) context.Context {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ctx
	}
	cred, err := peerCred(uc)
	if err != nil {
		return httpapi.WithPrincipal(ctx, httpapi.Principal{Name: "socket peer (" + err.Error() + ")"})
	}
	p := httpapi.Principal{Name: uidName(cred.Uid)}
	if cred.Uid == 0 || int(cred.Uid) == os.Getuid() || (gid >= 0 && inGroup(cred, gid)) {
		p.Role = httpapi.RoleAdmin
	}
	return httpapi.WithPrincipal(ctx, p)
}

// peerCred reads a Unix connection's peer credentials.
func peerCred(uc *net.UnixConn) (*unix.Ucred, error) {
	raw, err := uc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return nil, fmt.Errorf("peer credentials: %w", err)
	}
	if credErr != nil {
		return nil, fmt.Errorf("peer credentials: %w", credErr)
	}
	return cred, nil
}

// inGroup reports whether the peer process is in group gid: its primary
// group, or a supplementary one as /proc/PID/status lists them.
func inGroup(cred *unix.Ucred, gid int) bool {
	if int(cred.Gid) == gid {
		return true
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(int(cred.Pid)) + "/status")
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "Groups:"); ok {
			return slices.Contains(strings.Fields(rest), strconv.Itoa(gid))
		}
	}
	return false
}

// uidName is how a socket peer is recorded: "uid:1000 (alice)".
func uidName(uid uint32) string {
	id := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return "uid:" + id + " (" + u.Username + ")"
	}
	return "uid:" + id
}

// errUnknownKey is an OFREP key the server does not know.
var errUnknownKey = fmt.Errorf("%w: the server knows no such token", ofrep.ErrUnknownKey)
