package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// rebootSpec is two services, web depending on db, each with two
// instances; run is the line that says what runs (a command with its
// artifact, or an image with its command).
const rebootSpec = `app: shop
services:
  db:
%[1]s
    env: {VERSION: v1}
    instances: 2
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: db.localhost}
    stopGrace: 2s
  web:
%[2]s
    env: {VERSION: v1}
    instances: 2
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: web.localhost}
    dependsOn: [db]
    stopGrace: 2s
`

func processRun(name string) string {
	return fmt.Sprintf("    run: [\"./bin/order\", \"--name\", %q, \"--port\", \"${PORT}\"]\n    artifact: {path: ./bin/order, version: v1}", name)
}

func TestRebootStartsEverythingAgainInOrder(t *testing.T) {
	data, runtime := t.TempDir(), t.TempDir()
	file := writeSpec(t, specDir(t), "slipway.yaml", fmt.Sprintf(rebootSpec, processRun("db"), processRun("web")))
	checkReboot(t, data, runtime, file, []string{filepath.Join(data, "instances")})
}

func TestRebootStartsContainersAgainInOrder(t *testing.T) {
	_, ref := serveShopImage(t)
	data, runtime := t.TempDir(), t.TempDir()
	registerContainerCleanup(t, data)
	image := func(name string) string {
		return fmt.Sprintf("    image: %s\n    command: [\"/order\", \"--name\", %q, \"--port\", \"${PORT}\"]", ref, name)
	}
	file := writeSpec(t, specDir(t), "slipway.yaml", fmt.Sprintf(rebootSpec, image("db"), image("web")))
	checkReboot(t, data, runtime, file, []string{filepath.Join(data, "containers")})
}

// checkReboot applies file, then does what a reboot does (every process
// killed with SIGKILL, cgroups gone, the runtime directory cleared) and
// starts the server again: every instance must come back, the same
// ones, db before web, with no duplicate and no crash reported.
func checkReboot(t *testing.T, data, runtime, file string, dirs []string) {
	srv := startServer(t, data, "--runtime-dir", runtime)
	srv.mustCLI("apply", "-f", file, "--wait", "--timeout", "90s")
	want := map[string]int{"db": 2, "web": 2}
	before := allPIDs(srv.waitConverged(30*time.Second, want))
	evs := srv.events()
	last := evs[len(evs)-1].Seq
	srv.kill()
	simulateReboot(t, data, runtime, before)

	srv2 := startServer(t, data, "--runtime-dir", runtime)
	after := allPIDs(srv2.waitConverged(60*time.Second, want))
	if len(after) != 4 || !sameKeys(before, after) {
		t.Errorf("instances after the reboot %v; want the same 4 as before %v", after, before)
	}
	time.Sleep(2 * time.Second) // a few resync passes: nothing more may start
	var live []int
	for _, d := range dirs {
		live = append(live, pidsUnder(d)...)
	}
	if strings.HasSuffix(dirs[0], "containers") {
		live = monitorsOf(data) // one per container
	}
	if len(live) != 4 {
		t.Errorf("%d live instances %v; want exactly 4", len(live), live)
	}
	if again := allPIDs(srv2.services()); fmt.Sprint(again) != fmt.Sprint(after) {
		t.Errorf("instances changed after converging: %v -> %v", after, again)
	}
	checkRebootEvents(t, srv2.events(), last)
}

func sameKeys(a, b map[string]int) bool {
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return len(a) == len(b)
}

// simulateReboot kills every process the server started (instances,
// container monitors), removes their cgroups and clears the runtime
// directory: what a reboot leaves is the data folder alone.
func simulateReboot(t *testing.T, data, runtime string, pids map[string]int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range monitorsOf(data) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, pid := range append(pidsUnder(filepath.Join(data, "instances")), pidsUnder(filepath.Join(data, "containers"))...) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	waitFor(t, 10*time.Second, "every instance process gone", func() (bool, string) {
		for id, pid := range pids {
			if alive(pid) {
				return false, id
			}
		}
		return true, ""
	})
	removeCgroups(filepath.Join(data, "instances"))
	for id := range pids {
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", "slipway", "container-"+id))
		dirs2, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "slipway", "container-"+id))
		for _, d := range append(dirs, dirs2...) {
			_ = syscall.Rmdir(d)
		}
	}
	if err := os.RemoveAll(runtime); err != nil {
		t.Fatal(err)
	}
}

// checkRebootEvents checks the events after the reboot: each instance
// reported as restarted by the host (no crash, no exit), started again
// "after host restart", and web's first start after every db instance
// was ready.
func checkRebootEvents(t *testing.T, evs []api.Event, after int64) {
	t.Helper()
	marked, started := 0, 0
	var dbReady []int64
	firstWeb := int64(-1)
	for _, ev := range evs {
		if ev.Seq <= after {
			continue
		}
		switch {
		case ev.Type == "instance.host_restart":
			marked++
		case ev.Type == "instance.exited" || ev.Type == "instance.crashloop" || ev.Type == "instance.restarted":
			t.Errorf("after the reboot: %s %s", ev.Type, ev.Message)
		case ev.Type == "instance.started" && strings.Contains(ev.Message, "started after host restart"):
			started++
			if ev.Service == "web" && firstWeb < 0 {
				firstWeb = ev.Seq
			}
		case ev.Type == "instance.created":
			t.Errorf("after the reboot a new instance was created: %s", ev.Message)
		case ev.Type == "instance.ready" && ev.Service == "db":
			dbReady = append(dbReady, ev.Seq)
		}
	}
	if marked != 4 || started != 4 {
		t.Errorf("%d instance.host_restart events and %d 'started after host restart'; want 4 and 4", marked, started)
	}
	if len(dbReady) < 2 || firstWeb < 0 || slices.Max(dbReady[:2]) > firstWeb {
		t.Errorf("web started (event %d) before both db instances were ready (events %v)", firstWeb, dbReady)
	}
}
