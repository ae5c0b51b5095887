package imagetest

import (
	"os"
	"os/exec"
	"testing"
)

// NeedContainers fails the test under CI (SLIPWAY_CI=1, where .ci/run
// installs what containers need) and skips it elsewhere, saying what to
// install, when this machine cannot run containers: no runc, no
// busybox-static (the images' shell), or not root.
func NeedContainers(t testing.TB) {
	t.Helper()
	why := ""
	if _, err := exec.LookPath("runc"); err != nil {
		why = "runc is not installed (apt-get install runc)"
	} else if _, err := os.Stat(BusyboxPath); err != nil {
		why = "busybox-static is not installed (apt-get install busybox-static)"
	} else if os.Geteuid() != 0 {
		why = "containers need root"
	}
	if why == "" {
		return
	}
	if os.Getenv("SLIPWAY_CI") == "1" {
		t.Fatal(why)
	}
	t.Skip(why)
}
