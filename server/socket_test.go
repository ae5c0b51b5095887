package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/slipway-dev/slipway/client"
)

// longDataDir returns a fresh data folder whose DATA/slipway.sock is too
// long for a socket address.
func longDataDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 110))
	if len(filepath.Join(dir, "slipway.sock")) <= 107 {
		t.Fatal("the data folder is not long enough")
	}
	return dir
}

// TestLongDataPathSocketCannotBeHijacked: the socket of a data folder
// whose path is too long for a socket address used to be
// /tmp/slipway-HASH.sock, HASH derived from the path: another user could
// create that file first and keep the server from starting (or serve a
// fake API in its place). The server must start, on a socket no one else
// could have guessed.
func TestLongDataPathSocketCannotBeHijacked(t *testing.T) {
	data := longDataDir(t)
	sum := sha256.Sum256([]byte(data))
	guessed := filepath.Join(os.TempDir(), "slipway-"+hex.EncodeToString(sum[:8])+".sock")
	if err := os.WriteFile(guessed, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(guessed) })
	_ = os.Chown(guessed, 65534, 65534) // another user's (nobody's)
	r := runServer(t, func(c *Config) { c.DataDir = data })
	sock := r.s.SocketPath()
	if sock == guessed {
		t.Fatalf("the server's socket is the guessable %s", guessed)
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket %s: %v, %v", sock, fi, err)
	}
}

// TestLongDataPathSocketIsRecordedForClients: the private socket is
// named in DATA/socket.path (0600), which clients follow; a clean stop
// removes the record, the socket and its directory.
func TestLongDataPathSocketIsRecordedForClients(t *testing.T) {
	data := longDataDir(t)
	cfg := testConfig(t)
	cfg.DataDir = data
	stop, s := startConfig(t, cfg)
	sock := s.SocketPath()
	got, ok := client.SocketFor(data)
	if !ok || got != sock {
		t.Fatalf("client.SocketFor = %q, %v; want the server's %s", got, ok, sock)
	}
	fi, err := os.Stat(filepath.Dir(sock))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the socket's directory: %v, %v; want mode 0700", fi, err)
	}
	readSecret(t, client.SocketRecordFor(data)) // 0600
	if _, err := client.New("unix://" + sock).Services(context.Background()); err != nil {
		t.Fatalf("the API on the private socket: %v", err)
	}
	stop()
	for _, p := range []string{client.SocketRecordFor(data), sock, filepath.Dir(sock)} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is left after a clean stop (%v)", p, err)
		}
	}
}

// testConfig is a server's settings for a test: a fresh data folder,
// free loopback ports, no system socket.
func testConfig(t *testing.T) Config {
	t.Helper()
	cfg := Default()
	cfg.DataDir, cfg.APIAddr, cfg.RouterAddr, cfg.PrometheusURL = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.SystemSocket = ""
	return cfg
}

// startConfig runs a real server on cfg until the test ends or stop is
// called; a failed start is returned by startErr.
func startConfig(t *testing.T, cfg Config) (stop func(), s *Server) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("server: %v", err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop, s
}

// startErr runs a server on cfg and returns why it did not start.
func startErr(t *testing.T, cfg Config) error {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.Ready():
		cancel()
		<-done
		return nil
	case err := <-done:
		return err
	}
}

// needRoot skips a test that must run as root.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: only a root server listens on the system socket")
	}
}

// sysSocket returns a system socket path in a fresh folder (standing in
// for /run/slipway) made by mk: nil leaves it to the server.
func sysSocket(t *testing.T, mk func(dir string)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run-slipway")
	if mk != nil {
		mk(dir)
	}
	return filepath.Join(dir, client.SocketName)
}

// TestRootServerListensOnTheSystemSocket: run as root, the server also
// listens on the system path, root's and 0600, whose folder it makes
// (root's, 0755); a clean stop removes the socket.
func TestRootServerListensOnTheSystemSocket(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	cfg.SystemSocket = sysSocket(t, nil)
	stop, _ := startConfig(t, cfg)
	fi, err := os.Lstat(cfg.SystemSocket)
	if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 || fi.Sys().(*syscall.Stat_t).Uid != 0 {
		t.Fatalf("system socket: %v, %v; want a socket, root's, mode 0600", fi, err)
	}
	if di, err := os.Stat(filepath.Dir(cfg.SystemSocket)); err != nil || di.Mode().Perm() != 0o755 {
		t.Fatalf("system socket's folder: %v, %v; want mode 0755", di, err)
	}
	if _, err := client.New("unix://" + cfg.SystemSocket).Services(context.Background()); err != nil {
		t.Fatalf("the API on the system socket: %v", err)
	}
	stop()
	if _, err := os.Lstat(cfg.SystemSocket); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the system socket is left after a clean stop (%v)", err)
	}
}

// TestSystemSocketNotWhenToldOtherwise: --socket or --no-system-socket
// keep a root server off the system path.
func TestSystemSocketNotWhenToldOtherwise(t *testing.T) {
	needRoot(t)
	for name, edit := range map[string]func(*Config){
		"--socket":           func(c *Config) { c.Socket = filepath.Join(t.TempDir(), "api.sock") },
		"--no-system-socket": func(c *Config) { c.SystemSocket = "" },
	} {
		cfg := testConfig(t)
		sys := sysSocket(t, nil)
		cfg.SystemSocket = sys
		edit(&cfg)
		startConfig(t, cfg)
		if _, err := os.Lstat(sys); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: the server listens on the system socket too (%v)", name, err)
		}
	}
}

// TestSystemSocketFolderMustBeRootsAlone: a system socket folder another
// user owns, or that others may write to, is refused: its owner could
// swap root's socket for their own.
func TestSystemSocketFolderMustBeRootsAlone(t *testing.T) {
	needRoot(t)
	for name, mk := range map[string]func(dir string){
		"another user's": func(dir string) { mkdirOrFail(t, dir, 0o755); chownOrFail(t, dir, 65534) },
		"world-writable": func(dir string) { mkdirOrFail(t, dir, 0o777) },
		"group-writable": func(dir string) { mkdirOrFail(t, dir, 0o775) },
	} {
		cfg := testConfig(t)
		cfg.SystemSocket = sysSocket(t, mk)
		err := startErr(t, cfg)
		if err == nil || !strings.Contains(err.Error(), "--no-system-socket") {
			t.Errorf("%s folder: start error %v; want a refusal naming --no-system-socket", name, err)
		}
	}
}

// TestSystemSocketHeldByAnotherServerIsLeftAlone: a second root server
// starts without the system socket, and its stop leaves the first's.
func TestSystemSocketHeldByAnotherServerIsLeftAlone(t *testing.T) {
	needRoot(t)
	sys := sysSocket(t, nil)
	first := testConfig(t)
	first.SystemSocket = sys
	startConfig(t, first)
	second := testConfig(t)
	second.SystemSocket = sys
	stop, _ := startConfig(t, second)
	stop()
	if _, err := client.New("unix://" + sys).Services(context.Background()); err != nil {
		t.Fatalf("the first server's system socket after the second stopped: %v", err)
	}
}

func mkdirOrFail(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func chownOrFail(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Chown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

// TestStopRemovesOnlyItsOwnSocket: a socket file that replaced the
// server's (another inode) is not the server's to remove.
func TestStopRemovesOnlyItsOwnSocket(t *testing.T) {
	needRoot(t)
	cfg := testConfig(t)
	cfg.SystemSocket = sysSocket(t, nil)
	stop, _ := startConfig(t, cfg)
	if err := os.Remove(cfg.SystemSocket); err != nil {
		t.Fatal(err)
	}
	other, err := net.Listen("unix", cfg.SystemSocket)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	stop()
	if _, err := os.Lstat(cfg.SystemSocket); err != nil {
		t.Errorf("the server removed a socket that was not its own: %v", err)
	}
}

// TestLongDataPathLeftoverIsCleared: the private socket directory of a
// server killed before its clean stop is removed by the next start.
func TestLongDataPathLeftoverIsCleared(t *testing.T) {
	cfg := testConfig(t)
	cfg.DataDir = longDataDir(t)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "slipway-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	old := filepath.Join(dir, client.SocketName)
	ln, err := net.Listen("unix", old)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // as after kill -9
	if err := os.WriteFile(client.SocketRecordFor(cfg.DataDir), []byte(old+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, s := startConfig(t, cfg)
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the killed server's socket directory %s is still there (%v)", dir, err)
	}
	if got, ok := client.SocketFor(cfg.DataDir); !ok || got != s.SocketPath() || got == old {
		t.Errorf("client.SocketFor = %q, %v; want the new socket %s", got, ok, s.SocketPath())
	}
}
