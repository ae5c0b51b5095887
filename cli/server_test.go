package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/slipway-dev/slipway/client"
)

// TestResolveWithoutServerTriesTheSocketThenTCP: with no --server, the
// CLI looks for the default data folder's socket, then the default TCP
// address with that folder's admin token; and says where it looked.
func TestResolveWithoutServerTriesTheSocketThenTCP(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(client.DefaultDataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(client.DefaultDataDir, client.AdminTokenName), []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{}
	server, token, tried := e.resolve()
	if server != client.DefaultServer || token != "tok" || len(tried) != 2 || !strings.HasPrefix(tried[0], "unix://") {
		t.Fatalf("resolve = %q, %q, %v; want the default TCP server, the folder's token, socket then TCP tried", server, token, tried)
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
