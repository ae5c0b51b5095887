package client

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
)

// Where a local server and its clients meet, derived from the server's
// data folder so that both sides find the same places.
const (
	// DefaultDataDir is a server's data folder when --data is not given.
	DefaultDataDir = ".slipway"
	// SocketName is the Unix socket's name in the data folder.
	SocketName = "slipway.sock"
	// AdminTokenName is the file in the data folder that holds the
	// admin token of the TCP API (mode 0600).
	AdminTokenName = "admin.token"
)

// maxSocketPath is the longest path a Unix socket address holds
// (sun_path is 108 bytes with its terminating NUL).
const maxSocketPath = 107

// SocketFor returns the Unix socket of the server whose data folder is
// dataDir: DATA/slipway.sock, or, when that path is too long for a
// socket address, /tmp/slipway-HASH.sock where HASH is derived from the
// data folder's absolute path.
func SocketFor(dataDir string) string {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		abs = dataDir
	}
	p := filepath.Join(abs, SocketName)
	if len(p) <= maxSocketPath {
		return p
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "slipway-"+hex.EncodeToString(sum[:8])+".sock")
}

// AdminTokenFor returns the admin token file of the server whose data
// folder is dataDir.
func AdminTokenFor(dataDir string) string {
	return filepath.Join(dataDir, AdminTokenName)
}
