package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

func TestTokenRequiredOffLoopback(t *testing.T) {
	_, port, _ := net.SplitHostPort(freeAddr(t))
	anyAddr := "0.0.0.0:" + port

	open := spawnServer(t, t.TempDir(), "--api", anyAddr)
	if !open.exited(10 * time.Second) {
		t.Fatalf("server on %s without --token did not exit", anyAddr)
	}
	if out := open.stderr.String(); open.err == nil || !strings.Contains(out, "--token") {
		t.Errorf("server on %s without --token: err %v, output:\n%s", anyAddr, open.err, out)
	}

	srv := spawnServer(t, t.TempDir(), "--api", anyAddr, "--token", "X")
	srv.addr, srv.url = "127.0.0.1:"+port, "http://127.0.0.1:"+port
	srv.waitHealthy(srv.addr)

	file := writeSpec(t, specDir(t), "slipway.yaml", fastSpec("", "", "10s"))
	text, _ := os.ReadFile(file)
	body, _ := json.Marshal(api.ApplyRequest{File: "slipway.yaml", Spec: string(text)})
	if code, resp, err := httpDo("POST", srv.url+"/v1/apply", "", body); err != nil || code != http.StatusUnauthorized {
		t.Errorf("POST /v1/apply without a token: %d %s %v; want 401", code, resp, err)
	}
	if code, resp, err := httpDo("POST", srv.url+"/v1/apply", "wrong", body); err != nil || code != http.StatusUnauthorized {
		t.Errorf("POST /v1/apply with a wrong token: %d %s %v; want 401", code, resp, err)
	}
	if r := runCLI(t, 30*time.Second, "--server", srv.url, "apply", "-f", file); r.code == 0 {
		t.Errorf("CLI apply without --token succeeded:\n%s", r)
	}
	srv.mustCLI("--token", "X", "apply", "-f", file, "--wait", "--timeout", "30s")
	if code, resp, err := httpDo("GET", srv.url+"/v1/services", "", nil); err != nil || code != http.StatusUnauthorized {
		t.Errorf("GET /v1/services without a token: %d %s %v; want 401 (specs hold secrets)", code, resp, err)
	}
	if code, resp, err := httpDo("GET", srv.url+"/v1/health", "", nil); err != nil || code != http.StatusOK {
		t.Errorf("GET /v1/health without a token: %d %s %v; want 200", code, resp, err)
	}
	if code, resp, err := httpDo("POST", srv.url+"/ofrep/v1/evaluate/flags/any", "", []byte(`{}`)); err != nil || code != http.StatusUnauthorized {
		t.Errorf("OFREP off loopback without a key: %d %s %v; want 401", code, resp, err)
	}
	if code, resp, err := httpDo("POST", srv.url+"/ofrep/v1/evaluate/flags/any", "X", []byte(`{}`)); err != nil || code != http.StatusNotFound {
		t.Errorf("OFREP with the admin token: %d %s %v; want 404 (any role may evaluate; no such flag)", code, resp, err)
	}
	srv.token = "X"
	srv.waitConverged(10*time.Second, map[string]int{"order": 2, "invoice": 2})
}
