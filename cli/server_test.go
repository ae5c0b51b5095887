package cli

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/slipway-dev/slipway/client"
)

// TestResolveWithoutServerTriesTheSocketsThenTCP: with no --server, the
// CLI looks for the default data folder's socket, then the system
// socket, then the default TCP address with that folder's admin token;
// and says where it looked.
func TestResolveWithoutServerTriesTheSocketsThenTCP(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(client.DefaultDataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(client.DefaultDataDir, client.AdminTokenName), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{systemSocket: filepath.Join(t.TempDir(), "slipway.sock")} // no root server
	server, token, tried := e.resolve()
	if server != client.DefaultServer || token != "tok" || len(tried) != 3 || !strings.HasPrefix(tried[0], "unix://") {
		t.Fatalf("resolve = %q, %q, %v; want the default TCP server, the folder's token, two sockets then TCP tried", server, token, tried)
	}
	if tried[1] != "unix://"+e.systemSocket {
		t.Errorf("tried %v; want the system socket second", tried)
	}
	err := unreachable(&client.UnreachableError{Server: server, Err: syscall.ECONNREFUSED}, tried)
	for _, want := range tried {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if !errors.Is(err, client.ErrUnreachable) {
		t.Errorf("error %v is no longer ErrUnreachable", err)
	}
}

// TestResolveNamesTheRealSystemSocket: the not-found error of a CLI
// with its default settings names /run/slipway/slipway.sock.
func TestResolveNamesTheRealSystemSocket(t *testing.T) {
	if answers(client.SystemSocket) {
		t.Skip("a root server listens on " + client.SystemSocket)
	}
	t.Chdir(t.TempDir())
	_, _, tried := (&env{}).resolve()
	err := unreachable(&client.UnreachableError{Server: client.DefaultServer, Err: syscall.ECONNREFUSED}, tried)
	if !strings.Contains(err.Error(), "unix:///run/slipway/slipway.sock") {
		t.Errorf("error %q does not name the system socket", err)
	}
}

// TestResolveFindsTheSystemSocket: with no local server, the CLI uses a
// root server's system socket, with no token.
func TestResolveFindsTheSystemSocket(t *testing.T) {
	t.Chdir(t.TempDir())
	sys := listenUnix(t, filepath.Join(t.TempDir(), "slipway.sock"))
	e := &env{systemSocket: sys}
	if server, token, _ := e.resolve(); server != "unix://"+sys || token != "" {
		t.Errorf("resolve = %q, %q; want unix://%s and no token", server, token, sys)
	}
}

// TestResolveFollowsTheSocketRecord: a data folder (SLIPWAY_DATA) too
// deep for a socket address has its server's socket named in
// DATA/socket.path.
func TestResolveFollowsTheSocketRecord(t *testing.T) {
	data := filepath.Join(t.TempDir(), strings.Repeat("d", 110))
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := listenUnix(t, filepath.Join(t.TempDir(), "slipway.sock"))
	if err := os.WriteFile(client.SocketRecordFor(data), []byte(sock+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvData, data)
	e := &env{systemSocket: filepath.Join(t.TempDir(), "none.sock")}
	if server, _, _ := e.resolve(); server != "unix://"+sock {
		t.Errorf("resolve = %q; want unix://%s, which %s names", server, sock, client.SocketRecordFor(data))
	}
}

// listenUnix listens on a Unix socket at path until the test ends.
func listenUnix(t *testing.T, path string) string {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return path
}

// TestResolveNeverSendsTheLocalTokenElsewhere: the default folder's
// admin token goes only to the default address.
func TestResolveNeverSendsTheLocalTokenElsewhere(t *testing.T) {
	t.Chdir(t.TempDir())
	_ = os.MkdirAll(client.DefaultDataDir, 0o700)
	_ = os.WriteFile(filepath.Join(client.DefaultDataDir, client.AdminTokenName), []byte("tok\n"), 0o600)
	for server, want := range map[string]string{"http://example.com:7400": "", "http://127.0.0.1:7400": "tok", "unix:///x.sock": ""} {
		e := &env{server: server}
		if _, token, _ := e.resolve(); token != want {
			t.Errorf("--server %s: token %q, want %q", server, token, want)
		}
	}
	e := &env{server: "http://example.com", tokenFile: filepath.Join(client.DefaultDataDir, client.AdminTokenName)}
	if _, token, _ := e.resolve(); token != "tok" {
		t.Errorf("--token-file: token %q, want tok", token)
	}
}

// TestResolvePassesOverAStaleSystemSocket: a system socket no server
// answers on (its server was killed) does not stop the CLI from trying
// the TCP address.
func TestResolvePassesOverAStaleSystemSocket(t *testing.T) {
	t.Chdir(t.TempDir())
	sys := filepath.Join(t.TempDir(), "slipway.sock")
	ln, err := net.Listen("unix", sys)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, as after kill -9
	e := &env{systemSocket: sys}
	if server, _, tried := e.resolve(); server != client.DefaultServer || len(tried) != 3 {
		t.Errorf("resolve = %q, tried %v; want the TCP address after both sockets", server, tried)
	}
}
