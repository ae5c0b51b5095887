package client

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Where a local server and its clients meet, derived from the server's
// data folder so that both sides find the same places.
const (
	// DefaultDataDir is a server's data folder when --data is not given.
	DefaultDataDir = ".slipway"
	// SocketName is the Unix socket's name in the data folder.
	SocketName = "slipway.sock"
	// SocketRecordName is the file in the data folder (mode 0600) that
	// names the socket when DATA/slipway.sock is too long for a socket
	// address: the server then listens in a private directory of its
	// own (see SocketFor).
	SocketRecordName = "socket.path"
	// AdminTokenName is the file in the data folder that holds the
	// admin token of the TCP API (mode 0600).
	AdminTokenName = "admin.token"
	// SystemSocket is where a server run as root also listens, so that
	// the CLI finds it from any folder.
	SystemSocket = "/run/slipway/slipway.sock"
)

// MaxSocketPath is the longest path a Unix socket address holds
// (sun_path is 108 bytes with its terminating NUL).
const MaxSocketPath = 107

// DataSocket returns DATA/slipway.sock, absolute, and whether it fits in
// a socket address.
func DataSocket(dataDir string) (path string, fits bool) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	p := filepath.Join(abs, SocketName)
	return p, len(p) <= MaxSocketPath
}

// SocketRecordFor returns the file that names the socket of the server
// whose data folder is dataDir when DATA/slipway.sock is too long.
func SocketRecordFor(dataDir string) string {
	return filepath.Join(dataDir, SocketRecordName)
}

// SocketFor returns the Unix socket of the server whose data folder is
// dataDir: DATA/slipway.sock, or, when that path is too long for a
// socket address, the one named in DATA/socket.path, if that is a socket
// owned by the record's owner (a record left by a crash may name a path
// someone else has taken since). ok is false when there is no such
// socket; path then says where the CLI looked.
func SocketFor(dataDir string) (path string, ok bool) {
	p, fits := DataSocket(dataDir)
	if fits {
		return p, isSocket(p)
	}
	rec := SocketRecordFor(dataDir)
	b, err := os.ReadFile(rec)
	if err != nil {
		return rec, false
	}
	named := strings.TrimSpace(string(b))
	if named == "" || !isSocket(named) || owner(named) != owner(rec) {
		return rec, false
	}
	return named, true
}

// isSocket reports whether path is a Unix socket.
func isSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// owner returns the uid owning path, -1 when unknown.
func owner(path string) int64 {
	fi, err := os.Lstat(path)
	if err != nil {
		return -1
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return -1
	}
	return int64(st.Uid)
}

// AdminTokenFor returns the admin token file of the server whose data
// folder is dataDir.
func AdminTokenFor(dataDir string) string {
	return filepath.Join(dataDir, AdminTokenName)
}
