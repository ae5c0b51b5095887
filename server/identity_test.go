package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/httpapi"
)

// running is a real server for the identity tests.
type running struct {
	s    *Server
	data string
}

// runServer runs a real server on a fresh data folder until the test
// ends, with edits made to its settings.
func runServer(t *testing.T, edits ...func(*Config)) running {
	t.Helper()
	cfg := Default()
	cfg.DataDir, cfg.APIAddr, cfg.RouterAddr, cfg.PrometheusURL = t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.SystemSocket = "" // the tests that want one name their own
	for _, edit := range edits {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-s.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("server: %v", err)
	}
	t.Cleanup(func() { cancel(); <-done })
	for d := filepath.Dir(s.SocketPath()); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		_ = os.Chmod(d, 0o755) // only the socket's own mode stands in others' way
	}
	return running{s: s, data: cfg.DataDir}
}

// request makes one request to the TCP API and returns its status.
func (r running) request(t *testing.T, method, path, token, host string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+r.s.Addr()+path, strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func readSecret(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want 0600", path, fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}

func TestTCPNeedsATokenEvenOnLoopback(t *testing.T) {
	r := runServer(t)
	admin := readSecret(t, filepath.Join(r.data, "admin.token"))
	if code, body := r.request(t, "GET", "/v1/services", "", ""); code != http.StatusUnauthorized {
		t.Errorf("GET /v1/services with no token: %d %s; want 401", code, body)
	}
	if code, body := r.request(t, "POST", "/v1/apply", "", ""); code != http.StatusUnauthorized {
		t.Errorf("POST /v1/apply with no token: %d %s; want 401", code, body)
	}
	if code, body := r.request(t, "GET", "/v1/services", admin, ""); code != http.StatusOK {
		t.Errorf("GET /v1/services with the admin token: %d %s; want 200", code, body)
	}
	if code, body := r.request(t, "GET", "/v1/health", "", ""); code != http.StatusOK {
		t.Errorf("GET /v1/health: %d %s; want 200", code, body)
	}
}

func TestOFREPNeedsATokenAndALoopbackHost(t *testing.T) {
	r := runServer(t)
	key := readSecret(t, filepath.Join(r.data, "flag.key")) // what instances get
	const path = "/ofrep/v1/evaluate/flags/nope"
	if code, body := r.request(t, "POST", path, "", ""); code != http.StatusUnauthorized {
		t.Errorf("OFREP with no key: %d %s; want 401", code, body)
	}
	if code, body := r.request(t, "POST", path, key, ""); code != http.StatusNotFound {
		t.Errorf("OFREP with the instances' key: %d %s; want 404 (no such flag)", code, body)
	}
	if code, body := r.request(t, "POST", path, key, "evil.example:7400"); code != http.StatusForbidden {
		t.Errorf("OFREP with a foreign Host: %d %s; want 403", code, body)
	}
	if code, body := r.request(t, "GET", "/v1/services", key, ""); code != http.StatusForbidden {
		t.Errorf("the API with an evaluation key: %d %s; want 403", code, body)
	}
}

// asNobody runs curl on the server's socket as user nobody (uid 65534)
// and returns its output: the HTTP status, or curl's error.
func asNobody(t *testing.T, sock, method, path string) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("needs root, to run a process as nobody")
	}
	for _, p := range []string{"setpriv", "curl"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skip(p + " not installed")
		}
	}
	cmd := exec.Command("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", sock,
		"-X", method, "-H", "Content-Type: application/json", "-d", "{}", "http://localhost"+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run()
	return out.String()
}

func TestSocketIsOwnerOnly(t *testing.T) {
	r := runServer(t)
	sock := r.s.SocketPath()
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", fi.Mode().Perm())
	}
	// The folders on the way are opened up, so that only the socket's
	// own mode stands in nobody's way.
	for d := filepath.Dir(sock); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		_ = os.Chmod(d, 0o755)
	}
	if out := asNobody(t, sock, "POST", "/v1/apply"); !strings.HasSuffix(out, "000") {
		t.Errorf("nobody POSTing on the socket: %q; want no connection (permission denied on connect)", out)
	}
}

func TestSocketPeerMustBeTheServersUser(t *testing.T) {
	r := runServer(t)
	sock := r.s.SocketPath()
	for d := filepath.Dir(sock); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		_ = os.Chmod(d, 0o755)
	}
	if err := os.Chmod(sock, 0o666); err != nil { // as a careless admin might
		t.Fatal(err)
	}
	if out := asNobody(t, sock, "POST", "/v1/apply"); out != "403" {
		t.Errorf("nobody POSTing on a world-writable socket: %q; want 403 (only the server's user and root)", out)
	}
	if out := asNobody(t, sock, "GET", "/v1/services"); out != "403" {
		t.Errorf("nobody reading on a world-writable socket: %q; want 403", out)
	}
}

func TestSocketGroupMembersAreAdmins(t *testing.T) {
	r := runServer(t, func(c *Config) { c.SocketGroup = "nogroup" }) // nobody's group here
	fi, err := os.Stat(r.s.SocketPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want 0660", fi.Mode().Perm())
	}
	if out := asNobody(t, r.s.SocketPath(), "GET", "/v1/services"); out != "200" {
		t.Errorf("nobody, in group nogroup, reading on the socket: %q; want 200", out)
	}
}

func TestOFREPRateLimitPerKey(t *testing.T) {
	r := runServer(t, func(c *Config) { c.OFREPRate, c.OFREPBurst = 0.5, 1 })
	key := readSecret(t, filepath.Join(r.data, "flag.key"))
	const path = "/ofrep/v1/evaluate/flags/nope"
	if code, body := r.request(t, "POST", path, key, ""); code != http.StatusNotFound {
		t.Fatalf("first evaluation: %d %s; want 404 (no such flag)", code, body)
	}
	code, body := r.request(t, "POST", path, key, "")
	if code != http.StatusTooManyRequests {
		t.Errorf("second evaluation at once: %d %s; want 429", code, body)
	}
	// The key spelled as OFREP also accepts it is the same key, limited.
	for _, h := range [][2]string{{"Authorization", "bearer " + key}, {"Authorization", "Bearer  " + key + " "}, {"X-API-Key", " " + key}} {
		req, _ := http.NewRequest("POST", "http://"+r.s.Addr()+path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(h[0], h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s: %q at once: %d; want 429", h[0], strings.Replace(h[1], key, "KEY", 1), resp.StatusCode)
		}
	}
	admin := readSecret(t, filepath.Join(r.data, "admin.token"))
	if code, body := r.request(t, "POST", path, admin, ""); code != http.StatusNotFound {
		t.Errorf("another key: %d %s; want 404, not limited by the first", code, body)
	}
}

func TestOFREPCORSOnlyForConfiguredOrigins(t *testing.T) {
	r := runServer(t, func(c *Config) { c.OFREPOrigins = []string{"https://app.example.com"} })
	key := readSecret(t, filepath.Join(r.data, "flag.key"))
	for origin, want := range map[string]int{"https://app.example.com": http.StatusNotFound, "https://evil.example": http.StatusForbidden} {
		req, _ := http.NewRequest("POST", "http://"+r.s.Addr()+"/ofrep/v1/evaluate/flags/nope", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		allow := resp.Header.Get("Access-Control-Allow-Origin")
		if resp.StatusCode != want || (want != http.StatusForbidden) != (allow == origin) {
			t.Errorf("Origin %s: %d, Access-Control-Allow-Origin %q; want %d, CORS only for the configured one", origin, resp.StatusCode, allow, want)
		}
	}
}

// TestKeyringRecordsLastUse: an accepted token's principal is stamped
// with its last use, one name shared by its tokens; a refused value and
// an unused principal are stamped with nothing.
func TestKeyringRecordsLastUse(t *testing.T) {
	k := newKeyring()
	k.add("a", httpapi.Principal{Name: "token:ci", Role: httpapi.RoleAdmin})
	k.add("b", httpapi.Principal{Name: "token:idle", Role: httpapi.RoleAdmin})
	if _, ok := k.Lookup("nope"); ok {
		t.Fatal("an unknown value was accepted")
	}
	if !k.lastUsed("token:ci").IsZero() {
		t.Fatal("token:ci was stamped before its first use")
	}
	p, ok := k.Lookup("a")
	if !ok || p.Name != "token:ci" {
		t.Fatalf("Lookup(a) = %v, %v; want token:ci", p, ok)
	}
	if k.lastUsed("token:ci").IsZero() {
		t.Error("token:ci was not stamped by its use")
	}
	if !k.lastUsed("token:idle").IsZero() || !k.lastUsed("token:gone").IsZero() {
		t.Error("an unused or unknown principal was stamped")
	}
}
