package server

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/httpapi"
)

// listenSocket listens on the Unix socket at path, owner-only (mode
// 0600), as the Docker daemon's socket is: who can connect is decided by
// the file system, then by the peer's credentials (see peer). A stale
// socket file from an earlier run is replaced; any other file is not.
func listenSocket(path string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("--socket %s: %w", path, err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("--socket %s: a file that is not a socket is in the way", path)
		}
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("--socket %s: another server answers there", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("--socket %s: remove the stale socket: %w", path, err)
		}
	}
	old := unix.Umask(0o177) // created 0600: no window where others may connect
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("--socket %s: %w", path, err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	return ln, nil
}

// peer returns ctx carrying the principal of a Unix socket connection:
// its peer's uid as the kernel reports it (SO_PEERCRED), never what the
// client says. The server's own user and root are admins; anyone else
// is known but may do nothing.
func peer(ctx context.Context, c net.Conn) context.Context {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return ctx
	}
	cred, err := peerCred(uc)
	if err != nil {
		return httpapi.WithPrincipal(ctx, httpapi.Principal{Name: "socket peer (" + err.Error() + ")"})
	}
	p := httpapi.Principal{Name: uidName(cred.Uid)}
	if cred.Uid == 0 || int(cred.Uid) == os.Getuid() {
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
