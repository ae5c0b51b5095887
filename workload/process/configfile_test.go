package process

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/workload"
)

// TestConfigFileReachesTheInstance: the file is there when the process
// starts, is replaced with its version on WriteConfig, and the signal
// tells the process to read it again; the instance cannot change it.
func TestConfigFileReachesTheInstance(t *testing.T) {
	data := t.TempDir()
	if err := os.Chmod(data, 0o700); err != nil {
		t.Fatal(err)
	}
	d := New(filepath.Join(data, "instances"), Options{Logger: quiet})
	const id = "cfg-1-abc"
	path := d.ConfigPath(id, "settings")
	// The trap is set before the first line is printed: a SIGHUP that
	// came before it would end the shell.
	script := `show() { echo "values $(cat "$C") version $(cat "$C.version")"; }
trap show HUP
echo x > "$C" 2>/dev/null && echo wrote
show
while true; do sleep 0.05; done`
	startSpec(t, d, workload.InstanceSpec{
		ID: id, Service: "cfg", Command: []string{"sh", "-c", script},
		Env:     map[string]string{"PATH": "/usr/bin:/bin", "C": path},
		Configs: []workload.ConfigFile{{Name: "settings", Version: 1, Data: []byte(`{"timeoutMs":2000}`)}},
	})
	waitLog(t, d, id, `values {"timeoutMs":2000} version 1`)
	err := d.WriteConfig(context.Background(), id, workload.ConfigFile{Name: "settings", Version: 2,
		Data: []byte(`{"timeoutMs":3000}`), Signal: syscall.SIGHUP})
	if err != nil {
		t.Fatal(err)
	}
	lines := waitLog(t, d, id, `values {"timeoutMs":3000} version 2`)
	if strings.Contains(lines, "wrote") && os.Geteuid() == 0 {
		t.Errorf("the instance wrote its config file:\n%s", lines)
	}
	if err := d.WriteConfig(context.Background(), "cfg-9-none", workload.ConfigFile{Name: "settings"}); err == nil {
		t.Error("WriteConfig to an unknown instance succeeded")
	}
}

// waitLog waits until the instance's log holds want and returns it.
func waitLog(t *testing.T, d *Driver, id, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines, err := d.Logs(context.Background(), id, 100)
		text := strings.Join(lines, "\n")
		if err == nil && strings.Contains(text, want) {
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q after 10s:\n%s (%v)", want, text, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConfigSignalUnderNohup runs TestConfigFileReachesTheInstance in a
// copy of this test binary started with SIGHUP ignored, as nohup starts a
// server: the instance must still get the signal its config names
// (signals.go).
func TestConfigSignalUnderNohup(t *testing.T) {
	if os.Getenv("SLIPWAY_TEST_NOHUP") != "" {
		t.Skip("already the copy started with SIGHUP ignored")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", `trap "" HUP USR1 USR2; exec "$0" -test.run '^TestConfigFileReachesTheInstance$' -test.count=1 -test.v`, exe)
	cmd.Env = append(os.Environ(), "SLIPWAY_TEST_NOHUP=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestConfigFileReachesTheInstance") {
		t.Fatalf("with SIGHUP ignored at start: %v\n%s", err, out)
	}
}
