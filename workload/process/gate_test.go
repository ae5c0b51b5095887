package process

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStartFuncRunsAsServiceUser starts real commands with StartFunc: as
// root, as the service's dynamic user with no capabilities, and not at
// all in a directory that user cannot read; otherwise as the server.
func TestStartFuncRunsAsServiceUser(t *testing.T) {
	users := NewUsers(filepath.Join(t.TempDir(), "users.json"))
	start, err := users.StartFunc("staging", "web", "")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if start != nil {
			t.Errorf("a server that is not root got a start func")
		}
		return
	}
	want, err := users.Allocate("staging/web")
	if err != nil {
		t.Fatal(err)
	}
	open := t.TempDir()
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(open), 0o755); err != nil {
		t.Fatal(err)
	}
	out := runWith(t, start, open, "id -u; grep -E '^(NoNewPrivs|CapEff)' /proc/self/status")
	fields := strings.Fields(out)
	if len(fields) != 5 || fields[0] != strconv.Itoa(want) || fields[2] != "0000000000000000" || fields[4] != "1" {
		t.Errorf("ran as %q, want uid %d, CapEff 0 and NoNewPrivs 1", out, want)
	}

	closed := filepath.Join(open, "closed")
	if err := os.Mkdir(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", "true")
	cmd.Dir = closed
	err = start(cmd)
	if err == nil {
		_ = cmd.Wait()
		t.Fatalf("started in %s, which uid %d cannot read", closed, want)
	}
	if msg := err.Error(); !strings.Contains(msg, closed) || !strings.Contains(msg, strconv.Itoa(want)) {
		t.Errorf("error %q names neither the directory nor the user", msg)
	}
}

// runWith runs script in dir, started by start, and returns its output.
func runWith(t *testing.T, start func(*exec.Cmd) error, dir, script string) string {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	if err := start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	return out.String()
}
