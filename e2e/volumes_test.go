package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// volumeSpec is a service that appends its release to uploads/log (a
// volume) as it starts, and serves its working directory.
const volumeSpec = `app: shop
volumes:
  uploads: {path: %[1]s}
services:
  web:
    run: ["sh", "-c", "echo rev-$RELEASE >> uploads/log && exec python3 -m http.server $PORT --bind 127.0.0.1"]
    env: {RELEASE: "%[2]s"}
    health:
      readiness: {http: /uploads/log, interval: 200ms, failureThreshold: 1}
    route: {path: /}
    stopGrace: 2s
    mounts: [{volume: uploads, at: ./uploads}]
`

func TestVolumeOutlivesRevisions(t *testing.T) {
	base, err := os.MkdirTemp("", "slipway-e2e-vol-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil { // the instance's user walks through it
		t.Fatal(err)
	}
	vol := filepath.Join(base, "uploads")
	dir := specDir(t)
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(volumeSpec, vol, "1"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "60s")
	writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(volumeSpec, vol, "2"))
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "60s")
	if got := routerGet(t, srv, "/uploads/log"); got != "rev-1\nrev-2\n" {
		t.Errorf("revision 2 reads %q from the volume; want what revision 1 wrote, then its own line", got)
	}
	srv.mustCLI("rollback", "web", "--wait", "--timeout", "60s")
	if got := routerGet(t, srv, "/uploads/log"); got != "rev-1\nrev-2\nrev-1\n" {
		t.Errorf("after the rollback the volume holds %q", got)
	}
	svc := srv.waitConverged(20*time.Second, map[string]int{"web": 1})[0]
	var st syscall.Stat_t
	if err := syscall.Stat(vol, &st); err != nil {
		t.Fatal(err)
	}
	if uid := processUID(t, svc.Instances[0].PID); int(st.Uid) != uid {
		t.Errorf("volume owned by uid %d; the instance runs as %d", st.Uid, uid)
	}

	r := srv.cli("volume", "rm", "uploads")
	if r.code == 0 || !strings.Contains(r.stderr, "mounted by [web (revision 1)]") {
		t.Errorf("volume rm while mounted:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(vol, "log")); err != nil {
		t.Errorf("a refused volume rm removed files: %v", err)
	}
	b := srv.mustCLI("backup", filepath.Join(t.TempDir(), "shop.backup")).stdout
	if !strings.Contains(b, "volumes are named, not copied") || !strings.Contains(b, "uploads  "+vol) {
		t.Errorf("backup does not say the volume is named, not copied:\n%s", b)
	}
	status := srv.mustCLI("status").stdout
	if !strings.Contains(status, "uploads") || !strings.Contains(status, "18 B") || !strings.Contains(status, "web (revision 1)") {
		t.Errorf("status does not show the volume with its size and who mounts it:\n%s", status)
	}
	unmounted := `app: shop
volumes:
  uploads: {path: ` + vol + `}
services:
  web:
    run: ["python3", "-m", "http.server", "${PORT}", "--bind", "127.0.0.1"]
    health: {readiness: {http: /, interval: 200ms}}
    stopGrace: 2s
`
	writeSpec(t, dir, "slipway.yaml", unmounted)
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "60s")
	srv.waitConverged(20*time.Second, map[string]int{"web": 1})
	srv.mustCLI("volume", "rm", "uploads")
	if _, err := os.Stat(vol); err == nil {
		t.Errorf("volume rm left %s", vol)
	}
}

func TestVolumeSharedOnlyWhenSaidSo(t *testing.T) {
	dir := specDir(t)
	file := writeSpec(t, dir, "slipway.yaml", `app: shop
volumes:
  uploads: {path: /srv/shop/uploads}
services:
  web:
    run: ["./web"]
    mounts: [{volume: uploads, at: ./uploads}]
  thumbs:
    run: ["./thumbs"]
    mounts: [{volume: uploads, at: ./in}]
`)
	r := runCLI(t, 30*time.Second, "validate", "-f", file)
	if r.code == 0 || !strings.Contains(r.stderr, "slipway.yaml:7: services.web.mounts[0].volume: volume uploads is mounted by service thumbs already: set shared: true") {
		t.Errorf("two services mount one volume without shared: true:\n%s", r)
	}
	writeSpec(t, dir, "slipway.yaml", strings.Replace(mustRead(t, file), "/srv/shop/uploads}", "/srv/shop/uploads, shared: true}", 1))
	if r := runCLI(t, 30*time.Second, "validate", "-f", file); r.code != 0 {
		t.Errorf("a shared volume mounted by two services refused:\n%s", r)
	}
}

func mustRead(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func routerGet(t *testing.T, srv *server, path string) string {
	t.Helper()
	code, body, err := httpDo("GET", "http://"+srv.router+path, "", nil)
	if err != nil || code != 200 {
		t.Fatalf("GET %s: %d %v", path, code, err)
	}
	return body
}

// processUID is the real uid a process runs as.
func processUID(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "Uid:" {
			var uid int
			fmt.Sscan(f[1], &uid)
			return uid
		}
	}
	t.Fatalf("no Uid in /proc/%d/status", pid)
	return -1
}

// TestContainerVolume: a container sees the volume bound under its
// working directory; a file one revision writes there, the next reads.
func TestContainerVolume(t *testing.T) {
	_, ref := serveShopImage(t)
	base, err := os.MkdirTemp("", "slipway-e2e-ctrvol-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	vol := filepath.Join(base, "data")
	data := t.TempDir()
	registerContainerCleanup(t, data)
	srv := startServer(t, data)
	dir := specDir(t)
	write := func(release string) string {
		return writeSpec(t, dir, "slipway.yaml", fmt.Sprintf(`app: ctr
volumes:
  data: {path: %s}
services:
  shop:
    image: %s
    command: ["/bin/sh", "-c", "echo rev-%s >> data/log && exec /order --name shop --port $PORT"]
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    stopGrace: 2s
    mounts: [{volume: data, at: ./data}]
`, vol, ref, release))
	}
	file := write("1")
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "90s")
	write("2")
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "90s")
	b, err := os.ReadFile(filepath.Join(vol, "log"))
	if err != nil || string(b) != "rev-1\nrev-2\n" {
		t.Errorf("the volume holds %q (%v); want both revisions' lines", b, err)
	}
}
