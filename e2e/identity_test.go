package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/api"
)

// TestNobodyCannotDeploy: another local user (nobody) can change
// nothing, neither through the TCP API on loopback (it has no token)
// nor through the server's Unix socket (owner-only). Before issue 12,
// the loopback API trusted every process on the machine, and nobody's
// spec ran as the server's user.
func TestNobodyCannotDeploy(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root, to run a process as nobody")
	}
	data := filepath.Join(t.TempDir(), "d")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(filepath.Dir(data), 0o755) // nobody may reach the socket's folder
	srv := startServer(t, data)
	text, _ := os.ReadFile(writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s")))
	body, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: string(text)})

	if out := curlAsNobody(t, body, srv.url+"/v1/apply"); out != "401" {
		t.Errorf("nobody POSTing /v1/apply over TCP with no token: %q; want 401", out)
	}
	sock := filepath.Join(data, "slipway.sock")
	if out := curlAsNobody(t, body, "--unix-socket", sock, "http://localhost/v1/apply"); !strings.HasSuffix(out, "000") {
		t.Errorf("nobody POSTing /v1/apply on the socket: %q; want no connection (permission denied)", out)
	}
	if r := srv.cli("status"); r.code != 0 { // the owner's CLI still works
		t.Errorf("the owner's CLI:\n%s", r)
	}
}

// curlAsNobody runs curl as user nobody with a JSON body and returns
// the HTTP status it got ("000": no connection) and any error it said.
func curlAsNobody(t *testing.T, body []byte, args ...string) string {
	t.Helper()
	full := append([]string{"--reuid=65534", "--regid=65534", "--clear-groups",
		"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
		"-H", "Content-Type: application/json", "--data-binary", "@-"}, args...)
	cmd := exec.Command("setpriv", full...)
	cmd.Stdin = bytes.NewReader(body)
	out, _ := cmd.CombinedOutput()
	return strings.TrimSpace(string(out))
}

// TestOFREPRefusesAForeignHost: a DNS-rebinding page (Host: evil.example)
// cannot read flags, even with a key; before issue 12, /ofrep/ was
// mounted outside the API's Host check.
func TestOFREPRefusesAForeignHost(t *testing.T) {
	srv := startServer(t, t.TempDir(), "--flag-key", "k")
	req, _ := http.NewRequest("POST", srv.url+"/ofrep/v1/evaluate/flags", strings.NewReader(`{"context":{}}`))
	req.Host = "evil.example:7400"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("OFREP with Host evil.example: %d, want 403", resp.StatusCode)
	}
}
