package promtest

import (
	"os"
	"os/exec"
	"testing"
)

// debianPath is where Debian's prometheus package puts the binary.
const debianPath = "/usr/bin/prometheus"

// installHint says how to get the binary.
const installHint = "apt-get install -y prometheus"

// binary finds the prometheus binary. Without one it skips t, or fails it
// under CI (SLIPWAY_CI=1), where a skip would hide untested code.
func binary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("prometheus"); err == nil {
		return p
	}
	if _, err := os.Stat(debianPath); err == nil {
		return debianPath
	}
	if os.Getenv("SLIPWAY_CI") == "1" {
		t.Fatal("prometheus not installed: .ci/run installs it")
	}
	t.Skip("prometheus not installed; to run this test: " + installHint)
	return ""
}
