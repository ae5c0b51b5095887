package cli_test

import (
	"strings"
	"testing"
)

// TestEnvFlagRefusesBadNames: --env ../../etc is refused by the CLI,
// with the rule, before anything is sent.
func TestEnvFlagRefusesBadNames(t *testing.T) {
	f, url := newFake(t)
	res := run(t, url, "status", "--env", "../../etc")
	if res.code == 0 || !strings.Contains(res.stderr, `"../../etc"`) || !strings.Contains(res.stderr, "--env") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	if len(f.calls) != 0 {
		t.Errorf("contacted the server: %v", f.calls)
	}
}
