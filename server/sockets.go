package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/slipway-dev/slipway/client"
	"github.com/slipway-dev/slipway/internal/atomicfile"
)

// ownedSocket is a Unix socket listener that, once closed, removes its
// file only if the file is still the one it made (same device and
// inode): another server may have taken the path since.
type ownedSocket struct {
	net.Listener
	path     string
	dev, ino uint64
	once     sync.Once
	// after runs once the file is removed, to clear what came with it
	// (nil: nothing).
	after func()
}

// own wraps ln, listening on path, as an ownedSocket.
func own(ln net.Listener, path string) (*ownedSocket, error) {
	dev, ino, err := fileID(path)
	if err != nil {
		return nil, fmt.Errorf("--socket %s: %w", path, err)
	}
	return &ownedSocket{Listener: ln, path: path, dev: dev, ino: ino}, nil
}

// Close stops listening and removes the socket if it is still ours.
func (o *ownedSocket) Close() error {
	err := o.Listener.Close()
	o.once.Do(func() {
		if dev, ino, err := fileID(o.path); err == nil && dev == o.dev && ino == o.ino {
			_ = os.Remove(o.path)
		}
		if o.after != nil {
			o.after()
		}
	})
	return err
}

// fileID returns the device and inode of path (not following a link).
func fileID(path string) (dev, ino uint64, err error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, fmt.Errorf("%s: no inode", path)
	}
	return st.Dev, st.Ino, nil
}

// listenSockets listens on the API's Unix sockets: its own (listenOwn),
// then the system one when it applies (listenSystem).
func (s *Server) listenSockets(gid int) ([]net.Listener, error) {
	own, err := s.listenOwn(gid)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.socket = own.path
	s.mu.Unlock()
	sys, err := s.listenSystem(gid)
	if err != nil {
		own.Close()
		return nil, err
	}
	if sys == nil {
		return []net.Listener{own}, nil
	}
	return []net.Listener{own, sys}, nil
}

// listenOwn listens on the API's own socket: --socket, else
// DATA/slipway.sock, else, when that is too long for a socket address, a
// private directory's (listenPrivate).
func (s *Server) listenOwn(gid int) (*ownedSocket, error) {
	if s.cfg.Socket != "" {
		return listenSocket(s.cfg.Socket, gid)
	}
	if p, fits := client.DataSocket(s.cfg.DataDir); fits {
		return listenSocket(p, gid)
	}
	return s.listenPrivate(gid)
}

// listenPrivate listens in a fresh directory that os.MkdirTemp makes
// under the temporary folder (mode 0700, a random name: nobody can
// create it first or guess it), and records the socket's path in
// DATA/socket.path (0600) for clients (client.SocketFor). It is used
// when DATA/slipway.sock is too long for a socket address. Closing the
// listener removes the record, the socket and the directory.
func (s *Server) listenPrivate(gid int) (*ownedSocket, error) {
	rec := client.SocketRecordFor(s.cfg.DataDir)
	if old, ok := client.SocketFor(s.cfg.DataDir); ok {
		if answers(old) {
			return nil, fmt.Errorf("%s names %s: %w", rec, old, errAnswers)
		}
		removeLeftover(old)
	}
	dir, err := privateSocketDir(gid)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, client.SocketName)
	if len(path) > client.MaxSocketPath {
		os.Remove(dir)
		return nil, fmt.Errorf("the data folder's socket path and %s are too long for a socket address: choose one with --socket", path)
	}
	ln, err := listenSocket(path, gid)
	if err == nil {
		err = writeSocketRecord(rec, path)
	}
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		os.RemoveAll(dir)
		return nil, err
	}
	ln.after = func() { removeSocketRecord(rec, path); os.Remove(dir) }
	return ln, nil
}

// removeLeftover removes the stale socket at path, which an earlier run
// killed before its clean stop left, and its directory, if that is one
// of listenPrivate's (slipway-* in the temporary folder) and now empty.
func removeLeftover(path string) {
	dir := filepath.Dir(path)
	if filepath.Dir(dir) != filepath.Clean(os.TempDir()) || !strings.HasPrefix(filepath.Base(dir), "slipway-") {
		return
	}
	_ = os.Remove(path)
	_ = os.Remove(dir) // only if empty
}

// privateSocketDir makes the directory of listenPrivate: 0700, or 0710
// and group gid's when the socket is shared with a group (its members
// may reach the socket, not list the directory).
func privateSocketDir(gid int) (string, error) {
	dir, err := os.MkdirTemp("", "slipway-")
	if err != nil {
		return "", fmt.Errorf("private socket directory: %w", err)
	}
	if gid < 0 {
		return dir, nil
	}
	if err := os.Chown(dir, -1, gid); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("--socket-group: %w", err)
	}
	if err := os.Chmod(dir, 0o710); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("--socket-group: %w", err)
	}
	return dir, nil
}

// writeSocketRecord writes path into the record file rec, mode 0600.
func writeSocketRecord(rec, path string) error {
	if err := atomicfile.WriteFile(rec, []byte(path+"\n")); err != nil {
		return fmt.Errorf("write %s: %w", rec, err)
	}
	if err := os.Chmod(rec, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", rec, err)
	}
	return nil
}

// removeSocketRecord removes the record file rec if it still names path.
func removeSocketRecord(rec, path string) {
	if b, err := os.ReadFile(rec); err == nil && strings.TrimSpace(string(b)) == path {
		_ = os.Remove(rec)
	}
}

// listenSystem listens on the system socket too (Config.SystemSocket,
// /run/slipway/slipway.sock) when the server runs as root and --socket
// is not set, so that the CLI finds it from any folder; nil when it does
// not. A live server already there is logged and left alone: the first
// root server keeps it.
func (s *Server) listenSystem(gid int) (*ownedSocket, error) {
	path := s.cfg.SystemSocket
	if path == "" || s.cfg.Socket != "" || os.Geteuid() != 0 {
		return nil, nil
	}
	if err := systemDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("system socket %s: %w (--no-system-socket to do without it)", path, err)
	}
	ln, err := listenSocket(path, gid)
	if errors.Is(err, errAnswers) {
		s.cfg.Logger.Warn("another server holds the system socket; not listening there", "socket", path)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("system socket: %w (--no-system-socket to do without it)", err)
	}
	return ln, nil
}

// systemDir makes dir (root's, 0755) when it is missing, and refuses one
// that anybody but root could change: not a directory, not root's, or
// writable by its group or others. Such a folder would let its owner
// swap root's socket for one of their own.
func systemDir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err == nil {
		if err := os.Chmod(dir, 0o755); err != nil { // past the umask
			return fmt.Errorf("create %s: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case !ok || st.Uid != 0:
		return fmt.Errorf("%s is not owned by root", dir)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s is writable by others than root (mode %v)", dir, fi.Mode().Perm())
	}
	return nil
}

// closeAll closes every listener of lns.
func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// socketPaths lists the paths the listeners lns listen on.
func socketPaths(lns []net.Listener) []string {
	out := make([]string, len(lns))
	for i, ln := range lns {
		out[i] = ln.Addr().String()
	}
	return out
}
