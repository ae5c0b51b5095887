package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// bin holds the binaries TestMain builds once for the whole package.
var bin struct {
	slipway string // the slipway binary
	order   string // the example order service
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "slipway-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Instances run as users of their own (a root server's): a script
	// artifact that runs the built example service must reach it.
	if err := os.Chmod(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	bin.slipway = filepath.Join(dir, "slipway")
	bin.order = filepath.Join(dir, "order")
	for out, pkg := range map[string]string{bin.slipway: "./cmd/slipway", bin.order: "./examples/order"} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = ".." // the module root
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: go build %s: %v\n%s", pkg, err, b)
			return 1
		}
	}
	return m.Run()
}

// lockedBuffer is a bytes.Buffer safe for a child's output and a reader.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is one `slipway server` child process.
type server struct {
	t      *testing.T
	url    string
	addr   string
	data   string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{} // closed when the process has exited
	err    error         // Wait's result, set before done closes
	token  string        // sent on reads when the server requires one
	router string        // the router's address
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer starts a server over data on a free loopback port and waits
// until it answers /v1/health. Cleanup kills it and every instance that
// lives in data.
//
// A port found free can be taken by another process before the server
// binds it; the server then exits saying so, and is started again on
// other ports.
func startServer(t *testing.T, data string, extra ...string) *server {
	t.Helper()
	for try := 1; ; try++ {
		addr := freeAddr(t)
		s := spawnServer(t, data, append([]string{"--api", addr}, extra...)...)
		s.addr, s.url = addr, "http://"+addr
		if try < 3 && s.lostPortRace(addr) {
			continue
		}
		s.waitHealthy(addr)
		return s
	}
}

// lostPortRace reports whether the server exited, before it answered,
// because a port it was given got taken meanwhile.
func (s *server) lostPortRace(addr string) bool {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return strings.Contains(s.stderr.String(), "address is already in use")
		default:
		}
		if code, _, err := httpDo("GET", "http://"+addr+"/v1/health", "", nil); err == nil && code == http.StatusOK {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// spawnServer starts `slipway server --data data args...` in its own
// process group and registers its cleanup; it does not wait for it.
func spawnServer(t *testing.T, data string, args ...string) *server {
	t.Helper()
	return spawnServerWrapped(t, data, nil, args...)
}

// spawnServerWrapped is spawnServer with the server's command line run
// by wrap (e.g. prlimit and its options), which must exec it.
func spawnServerWrapped(t *testing.T, data string, wrap []string, args ...string) *server {
	t.Helper()
	registerInstanceCleanup(t, data)
	s := &server{t: t, data: data, stderr: &lockedBuffer{}, done: make(chan struct{})}
	if !slices.Contains(args, "--router") {
		s.router = freeAddr(t) // several servers may run at once
		args = append(args, "--router", s.router)
	}
	// Not the machine's system socket (when run as root): a test server
	// killed with -9 would leave it behind, and one server is not the others'.
	argv := append(append(slices.Clone(wrap), bin.slipway, "server", "--data", data, "--no-system-socket"), args...)
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	// Its own process group, so that kill -9 hits only it; and killed if
	// the test binary dies before its cleanup runs (a test timeout).
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		if t.Failed() {
			s.dump()
		}
		s.kill()
		if t.Failed() {
			t.Logf("server (pid %d) output, last lines:\n%s", s.cmd.Process.Pid, tail(s.stderr.String(), 40))
		}
	})
	return s
}

// dump logs the services and the last events of a live server, to
// explain a failure.
func (s *server) dump() {
	if s.url == "" || s.exited(0) {
		return
	}
	var svcs []api.Service
	if err := s.getJSON("/v1/services", &svcs); err == nil {
		b, _ := json.MarshalIndent(svcs, "", "  ")
		s.t.Logf("server %s services:\n%s", s.url, b)
	}
	var evs []api.Event
	if err := s.getJSON("/v1/events?limit=10000", &evs); err == nil {
		var lines []string
		for _, ev := range evs {
			lines = append(lines, fmt.Sprintf("%s %s %s %s", ev.Time.Format("15:04:05.000"), ev.Type, ev.Instance, ev.Message))
		}
		s.t.Logf("server %s events:\n%s", s.url, tail(strings.Join(lines, "\n"), 40))
	}
}

// waitHealthy waits for GET /v1/health to answer 200 at addr.
func (s *server) waitHealthy(addr string) {
	s.t.Helper()
	url := "http://" + addr + "/v1/health"
	waitFor(s.t, 15*time.Second, "server healthy at "+addr, func() (bool, string) {
		select {
		case <-s.done:
			s.t.Fatalf("server exited before it was healthy: %v\n%s", s.err, s.stderr.String())
		default:
		}
		code, body, err := httpDo("GET", url, "", nil)
		if err != nil {
			return false, err.Error()
		}
		return code == http.StatusOK, body
	})
	if s.token == "" { // the admin token the server made at its first start
		if b, err := os.ReadFile(s.tokenFile()); err == nil {
			s.token = strings.TrimSpace(string(b))
		}
	}
}

// tokenFile is where the server keeps its admin token.
func (s *server) tokenFile() string { return filepath.Join(s.data, "admin.token") }

// kill sends SIGKILL to the server's process group and waits for it.
func (s *server) kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.t.Errorf("server pid %d did not die after SIGKILL", s.cmd.Process.Pid)
	}
}

// exited waits up to d for the server to exit and returns whether it did.
func (s *server) exited(d time.Duration) bool {
	select {
	case <-s.done:
		return true
	case <-time.After(d):
		return false
	}
}

// registerInstanceCleanup kills, at the end of the test, every process
// whose working directory is under an environment's instances directory
// (each instance is in its own process group), and removes their cgroups. Registered once per data
// directory; it runs after the servers' cleanups (LIFO).
func registerInstanceCleanup(t *testing.T, data string) {
	key := t.Name() + "\x00" + data
	if _, loaded := cleanups.LoadOrStore(key, true); loaded {
		return
	}
	t.Cleanup(func() {
		// Every environment's instances: data/instances (default) and
		// data/envs/NAME/instances.
		roots, _ := filepath.Glob(filepath.Join(data, "envs", "*", "instances"))
		roots = append(roots, filepath.Join(data, "instances"))
		deadline := time.Now().Add(10 * time.Second)
		for {
			var pids []int
			for _, root := range roots {
				pids = append(pids, pidsUnder(root)...)
			}
			if len(pids) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("instances still alive after cleanup: %v", pids)
				break
			}
			for _, pid := range pids {
				_ = syscall.Kill(-pid, syscall.SIGKILL)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, root := range roots {
			removeCgroups(root)
		}
	})
}

var cleanups sync.Map

// pidsUnder lists live processes whose working directory is under dir:
// by path, or, for an instance in a mount namespace of its own (a root
// server's: it sees its directory elsewhere), by being the very directory
// dir/ID/work.
func pidsUnder(dir string) []int {
	works, _ := filepath.Glob(filepath.Join(dir, "*", "work"))
	var dirs []os.FileInfo
	for _, w := range works {
		if fi, err := os.Stat(w); err == nil {
			dirs = append(dirs, fi)
		}
	}
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err != nil {
			continue
		}
		if !strings.HasPrefix(cwd, dir+"/") && !sameDir(filepath.Join("/proc", e.Name(), "cwd"), dirs) {
			continue
		}
		if !alive(pid) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// removeCgroups removes the (now empty) cgroups of the instances that
// have a directory under root.
func removeCgroups(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", "slipway", e.Name()))
		dirs2, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "slipway", e.Name()))
		for _, d := range append(dirs, dirs2...) {
			_ = syscall.Rmdir(d)
		}
	}
}

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// result is one finished CLI run.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("$ slipway %s\nexit %d\n--- stdout:\n%s--- stderr:\n%s",
		strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// runCLI runs the slipway binary with args, bounded by timeout.
func runCLI(t *testing.T, timeout time.Duration, args ...string) result {
	t.Helper()
	c := newCLIRun(timeout, args)
	return c.result(t, c.cmd.Run())
}

// cliRun is one run of the slipway binary, bounded by a timeout, with its
// output captured and without the caller's SLIPWAY_SERVER and
// SLIPWAY_TOKEN. Start or run cmd, then call result once it has exited.
type cliRun struct {
	cmd            *exec.Cmd
	args           []string
	timeout        time.Duration
	ctx            context.Context
	cancel         context.CancelFunc
	stdout, stderr bytes.Buffer
}

func newCLIRun(timeout time.Duration, args []string) *cliRun {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	c := &cliRun{args: args, timeout: timeout, ctx: ctx, cancel: cancel}
	c.cmd = exec.CommandContext(ctx, bin.slipway, args...)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	c.cmd.Env = append(os.Environ(), "SLIPWAY_SERVER=", "SLIPWAY_TOKEN=")
	return c
}

// result is the finished run, err being what Run or Wait returned. It
// fails the test if the binary could not be run or did not finish within
// the timeout.
func (c *cliRun) result(t *testing.T, err error) result {
	t.Helper()
	c.cancel()
	r := result{args: c.args, stdout: c.stdout.String(), stderr: c.stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("run slipway %v: %v", c.args, err)
	}
	if errors.Is(c.ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("slipway %v did not finish within %s\n%s", c.args, c.timeout, r)
	}
	return r
}

// operationStarted is how apply says which operation it started.
var operationStarted = regexp.MustCompile(`operation (\d+) started`)

// startedOperation is the id of the operation the CLI output out says it
// started, and false if it names none.
func startedOperation(out string) (int64, bool) {
	m := operationStarted.FindStringSubmatch(out)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil
}

// cli runs the slipway CLI against this server.
func (s *server) cli(args ...string) result {
	s.t.Helper()
	return runCLI(s.t, 60*time.Second, append([]string{"--server", s.url, "--token-file", s.tokenFile()}, args...)...)
}

// mustCLI runs the CLI and fails the test unless it exits 0.
func (s *server) mustCLI(args ...string) result {
	s.t.Helper()
	r := s.cli(args...)
	if r.code != 0 {
		s.t.Fatalf("command failed:\n%s", r)
	}
	return r
}

// httpDo makes one request and returns status and body.
func httpDo(method, url, token string, body []byte) (int, string, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// getJSON GETs path from the server's API into v.
func (s *server) getJSON(path string, v any) error {
	code, body, err := httpDo("GET", s.url+path, s.token, nil)
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, code, body)
	}
	return json.Unmarshal([]byte(body), v)
}

// services returns GET /v1/services, failing the test on error.
func (s *server) services() []api.Service {
	s.t.Helper()
	var out []api.Service
	if err := s.getJSON("/v1/services", &out); err != nil {
		s.t.Fatalf("services: %v", err)
	}
	return out
}

// service returns one service from GET /v1/services.
func (s *server) service(name string) api.Service {
	s.t.Helper()
	for _, svc := range s.services() {
		if svc.Name == name {
			return svc
		}
	}
	s.t.Fatalf("no service %q in status", name)
	return api.Service{}
}

// statusCLI runs `status -o json` and decodes it.
func (s *server) statusCLI() []api.Service {
	s.t.Helper()
	r := s.mustCLI("status", "-o", "json")
	var out []api.Service
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		s.t.Fatalf("decode status -o json: %v\n%s", err, r)
	}
	return out
}

// events returns every event (GET /v1/events).
func (s *server) events() []api.Event {
	s.t.Helper()
	var out []api.Event
	if err := s.getJSON("/v1/events?limit=10000", &out); err != nil {
		s.t.Fatalf("events: %v", err)
	}
	return out
}

// operation returns GET /v1/operations/{id}.
func (s *server) operation(id int64) (api.Operation, error) {
	var op api.Operation
	err := s.getJSON(fmt.Sprintf("/v1/operations/%d", id), &op)
	return op, err
}

// converged reports whether every named service has its desired count of
// ready instances of its target revision, which is also stable.
func converged(svcs []api.Service, want map[string]int) (bool, string) {
	var diag []string
	ok := true
	for name, n := range want {
		svc, found := find(svcs, name)
		if !found {
			return false, "no service " + name
		}
		ready := 0
		for _, in := range svc.Instances {
			if in.Ready && in.Revision == svc.Revision {
				ready++
			}
		}
		if svc.Desired != n || svc.Ready != n || ready != n || len(svc.Instances) != n || svc.Stable != svc.Revision {
			ok = false
		}
		diag = append(diag, fmt.Sprintf("%s: rev %d stable %d phase %s ready %d/%d instances %d",
			name, svc.Revision, svc.Stable, svc.Phase, svc.Ready, svc.Desired, len(svc.Instances)))
	}
	return ok, strings.Join(diag, "; ")
}

func find(svcs []api.Service, name string) (api.Service, bool) {
	for _, s := range svcs {
		if s.Name == name {
			return s, true
		}
	}
	return api.Service{}, false
}

// waitConverged waits until every named service has converged.
func (s *server) waitConverged(timeout time.Duration, want map[string]int) []api.Service {
	s.t.Helper()
	var last []api.Service
	waitFor(s.t, timeout, "services converged", func() (bool, string) {
		last = s.services()
		return converged(last, want)
	})
	return last
}

// waitFor polls cond every 100ms until it holds or timeout passes; then
// it fails the test with cond's last diagnostic.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, diag := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last: %s", timeout, what, diag)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// specDir returns a fresh directory holding bin/order, for specs.
func specDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin.order)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "order"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeSpec writes text as dir/name and returns its path.
func writeSpec(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// instancePIDs maps instance ID to PID for the named service.
func instancePIDs(svc api.Service) map[string]int {
	m := map[string]int{}
	for _, in := range svc.Instances {
		m[in.ID] = in.PID
	}
	return m
}

// eventTypes lists the types of evs in order.
func eventTypes(evs []api.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type
	}
	return out
}

// hasEvent reports whether evs holds an event of one of the types for
// service.
func hasEvent(evs []api.Event, service string, types ...string) bool {
	for _, ev := range evs {
		for _, ty := range types {
			if ev.Type == ty && (service == "" || ev.Service == service) {
				return true
			}
		}
	}
	return false
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// fetchJSON GETs url from an instance and decodes its JSON answer.
func fetchJSON(url string) (map[string]string, error) {
	code, body, err := httpDo("GET", url, "", nil)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d %s", url, code, body)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return nil, fmt.Errorf("GET %s: %w: %s", url, err, body)
	}
	return m, nil
}

// orderSpec is a fast two-service app using the order binary for both
// services; %[1]s is extra env for order, %[2]s extra env for invoice,
// %[3]s order's progress deadline.
const orderSpec = `app: shop
services:
  order:
    run: ["./bin/order", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: v1%[1]s}
    instances: 2
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: order.localhost}
    stopGrace: 2s
    strategy:
      rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: %[3]s}
  invoice:
    run: ["./bin/order", "--name", "invoice", "--port", "${PORT}"]
    artifact: {path: ./bin/order, version: v1}
    env: {VERSION: v1%[2]s}
    instances: 2
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {path: /invoice}
    dependsOn: [order]
    stopGrace: 2s
    strategy:
      rolling: {progressDeadline: %[3]s}
`

// fastSpec formats orderSpec.
func fastSpec(orderEnv, invoiceEnv, deadline string) string {
	return fmt.Sprintf(orderSpec, orderEnv, invoiceEnv, deadline)
}

// sha256File returns the hex SHA-256 of a file.
func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// sameDir reports whether path is one of dirs.
func sameDir(path string, dirs []os.FileInfo) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	for _, d := range dirs {
		if os.SameFile(fi, d) {
			return true
		}
	}
	return false
}
