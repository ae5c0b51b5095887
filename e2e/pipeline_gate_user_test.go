package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gateUserEnv is an environment promoted from dev whose tests gate
// records who it runs as, and whether it can read the server's store,
// and its no_new_privs and capabilities, in out (a directory anyone may
// write).
func gateUserEnv(out, db string) string {
	return fmt.Sprintf(`  secure:
    from: dev
    gates:
      - tests: "id -u > %[1]s/uid; grep -E '^(NoNewPrivs|CapEff|CapBnd)' /proc/self/status > %[1]s/status; if cat %[2]s > /dev/null 2>&1; then echo readable; else echo denied; fi > %[1]s/db"
`, out, db)
}

// TestPipelineGateRunsAsServiceUser checks that a root server runs a
// tests gate (which a deployer may write into the spec) as the service's
// unprivileged dynamic user, not as root, and that the gate cannot read
// the server's store.
func TestPipelineGateRunsAsServiceUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: a server that is not root runs gates as itself")
	}
	out := t.TempDir()
	if err := os.Chmod(out, 0o1777); err != nil {
		t.Fatal(err)
	}
	p := newPipelineAppWith(t, func(data string) string {
		return fmt.Sprintf(pipelineSpec, gateUserEnv(out, filepath.Join(data, "slipway.db")))
	})
	p.applyAll("dev", "secure")
	p.push(p.binaryArtifact("v1"), "v1", pushedCommit{"aaaaaaa1", time.Now().Add(-time.Hour).UTC().Truncate(time.Second)})
	p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "dev", "--wait", "--timeout", "50s")
	p.promoteWait("dev", "secure")

	uid := readTrimmed(t, filepath.Join(out, "uid"))
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("the gate ran as uid %q, want the service's unprivileged dynamic user", uid)
	}
	if db := readTrimmed(t, filepath.Join(out, "db")); db != "denied" {
		t.Errorf("the gate could read the server's slipway.db (%s)", db)
	}
	status := strings.Fields(readTrimmed(t, filepath.Join(out, "status")))
	for _, want := range []string{"NoNewPrivs:", "1", "CapEff:", "0000000000000000", "CapBnd:", "0000000000000000"} {
		if !slices.Contains(status, want) {
			t.Errorf("the gate's /proc/self/status has %q, want no_new_privs and no capabilities", status)
			break
		}
	}
}

// TestPipelineGateUnreadableDir checks that a root server fails a tests
// gate whose directory the service's user cannot read, saying so,
// rather than run it as root.
func TestPipelineGateUnreadableDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: a server that is not root runs gates as itself")
	}
	out := t.TempDir()
	if err := os.Chmod(out, 0o1777); err != nil {
		t.Fatal(err)
	}
	p := newPipelineAppWith(t, func(data string) string {
		return fmt.Sprintf(pipelineSpec, gateUserEnv(out, filepath.Join(data, "slipway.db")))
	})
	if err := os.Chmod(p.dir, 0o700); err != nil { // the server's, not the service's
		t.Fatal(err)
	}
	p.applyAll("dev", "secure")
	p.push(p.binaryArtifact("v1"), "v1", pushedCommit{"aaaaaaa1", time.Now().Add(-time.Hour).UTC().Truncate(time.Second)})
	p.srv.mustCLI("deploy", "order", "--version", "v1", "--env", "dev", "--wait", "--timeout", "50s")
	id := promotionID(t, p.srv.mustCLI("promote", "order", "--from", "dev", "--to", "secure"))
	got := p.waitPromotion("secure", id)
	if got.State != "Failed" || len(got.Gates) != 1 {
		t.Fatalf("promotion %s (%s), gates %+v: want it failed at its tests gate", got.State, got.Reason, got.Gates)
	}
	want := fmt.Sprintf("directory %s is not readable by uid", p.dir)
	if r := got.Gates[0].Reason; !strings.Contains(r, want) {
		t.Errorf("gate failed with %q, want it to say %q", r, want)
	}
	if _, err := os.Stat(filepath.Join(out, "uid")); err == nil {
		t.Errorf("the gate ran anyway")
	}
}

// openToAll lets every user search dir and its parents up to the
// temporary directory, and read dir.
func openToAll(t *testing.T, dir string) {
	t.Helper()
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// readTrimmed reads a file written by a gate.
func readTrimmed(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the gate wrote no %s: %v", filepath.Base(path), err)
	}
	return strings.TrimSpace(string(b))
}
