package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// killSwitch is an operational boolean flag whose default is on.
const killSwitch = `app: shop
services:
  order: {run: [./order]}
flags:
  payments:
    class: operational
    type: boolean
    default: on
    owner: payments-team
`

// TestKillServesOffWithTheRealServer kills a kill switch whose default
// is on through the real API: kill says it serves off (false), and eval,
// get and list agree.
func TestKillServesOffWithTheRealServer(t *testing.T) {
	url := realServer(t)
	file := filepath.Join(t.TempDir(), "slipway.yaml")
	if err := os.WriteFile(file, []byte(killSwitch), 0o644); err != nil {
		t.Fatal(err)
	}
	if res := run(t, url, "apply", "-f", file); res.code != 0 {
		t.Fatalf("apply: exit %d, stderr %s", res.code, res.stderr)
	}
	res := run(t, url, "flags", "kill", "payments", "--reason", "card errors")
	want := `payments killed: serves "off" (false) to everyone; "slipway flags enable payments" turns it back on` + "\n"
	if res.code != 0 || res.stdout != want {
		t.Fatalf("kill: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", res.code, res.stderr, res.stdout, want)
	}
	res = run(t, url, "flags", "eval", "payments", "--context", `{"targetingKey":"u1"}`)
	if want := "flag:     payments\nvalue:    false\nvariant:  off\nreason:   DISABLED\n"; res.stdout != want {
		t.Errorf("eval: exit %d, stdout:\n%s\nwant:\n%s", res.code, res.stdout, want)
	}
	res = run(t, url, "flags", "get", "payments")
	for _, line := range []string{`state:          KILLED: everyone gets "off" (false)`, "default:        on\n", `off:            "off" (false)` + "\n"} {
		if !strings.Contains(res.stdout, line) {
			t.Errorf("get: no %q in:\n%s", line, res.stdout)
		}
	}
	res = run(t, url, "flags", "list")
	if fields := strings.Fields(strings.Split(res.stdout, "\n")[1]); len(fields) < 7 || fields[4] != "KILLED" || fields[5] != "on" || fields[6] != "off" {
		t.Errorf("list: want payments KILLED, default on, off off:\n%s", res.stdout)
	}
}
