package e2e

// Services run from OCI images, end to end with runc: the same zero
// downtime, adoption and restarts as processes, limits and isolation
// from the spec, and bad images refused before anything starts.

import (
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/image/imagetest"
)

func TestContainerRollingUpdateAndCanaryUnderLoad(t *testing.T) {
	a := startCtrApp(t, rolling("30s"))
	l := a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	r := a.srv.cli("apply", "-f", a.writeImage("v2", "", rolling("30s")), "--wait", "--timeout", "60s")
	res, took := l.stop()
	if r.code != 0 {
		t.Fatalf("apply v2 failed:\n%s", r)
	}
	checkNoFailures(t, "rolling update of containers", res, took, l.probe)
	a.checkServes("v2", 30)

	const steps = "[{setWeight: 30}, {analysis: {count: 2}}, {setWeight: 60}, {pause: 1s}]"
	l = a.startLoad(loadLimit)
	time.Sleep(300 * time.Millisecond)
	r = a.srv.cli("apply", "-f", a.writeImage("v3", "", canaryStrategy(steps, "1s")), "--wait", "--timeout", "90s")
	res, took = l.stop()
	if r.code != 0 {
		t.Fatalf("apply v3 as a canary: %s\n%s", r, describe(a.srv.service("shop")))
	}
	checkNoFailures(t, "canary of containers", res, took, l.probe)
	if c := a.srv.service("shop").Canary; c == nil || c.Outcome != "Promoted" {
		t.Fatalf("canary %+v, want promoted", c)
	}
	if seen := l.probe.seen(); seen["v2"] == 0 || seen["v3"] == 0 {
		t.Errorf("the prober saw %v: want both versions answer during the canary", seen)
	}
	a.checkServes("v3", 30)
}

func TestContainerServerKill9AdoptsAndReplacesKilled(t *testing.T) {
	a := startCtrApp(t, rolling("30s"))
	want := map[string]int{"shop": 3}
	before := allPIDs(a.srv.waitConverged(10*time.Second, want))
	a.srv.kill()
	for id, pid := range before {
		if !alive(pid) {
			t.Errorf("container %s (pid %d) died with the server", id, pid)
		}
	}
	a.srv = startServer(t, a.srv.data)
	time.Sleep(3 * time.Second) // a few resync passes to (wrongly) restart anything
	after := allPIDs(a.srv.waitConverged(20*time.Second, want))
	if !maps.Equal(before, after) {
		t.Fatalf("containers after the restart = %v; want the same IDs and PIDs as before %v", after, before)
	}
	var id string
	var pid int
	for id, pid = range after {
		break
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the killed container restarted and ready", func() (bool, string) {
		svc := a.srv.service("shop")
		for _, in := range svc.Instances {
			if in.ID == id {
				return in.PID != pid && in.PID != 0 && in.Ready && in.Restarts == 1, describe(svc)
			}
		}
		return false, describe(svc)
	})
	a.waitServes("v1", 10*time.Second)
}

// Limits and isolation come from the spec and the runtime: the shell
// inside tries what an instance must not manage, then runs the service.
func TestContainerLimitsAndIsolation(t *testing.T) {
	// Each instance's shell spends 5s on its fork probe before the
	// service listens: three in a row need more than the 30s the other
	// tests give the whole rolling update (it bounds the rollout, not
	// each instance).
	a := startCtrApp(t, rolling("2m"))
	probe := strings.Join([]string{
		`touch /planted 2>/dev/null && echo wrote-root`,
		`echo "procs=$(ls /proc | grep -c '^[0-9]')"`,
		`dd if=/dev/zero of=/dev/null bs=96M count=1 2>/dev/null; echo "dd=$?"`,
		`(i=0; while [ $i -lt 80 ]; do sleep 3 & i=$((i+1)); done) 2>forks; sleep 5; grep -q "can't fork" forks && echo pids-limited`,
		`exec /order --name shop --port ${PORT}`,
	}, "; ")
	spec := strings.Replace(imageShopSpec(a.ref, "VERSION: v2", rolling("2m")),
		`command: ["/order", "--name", "shop", "--port", "${PORT}"]`, `command: ["sh", "-c", '`+strings.ReplaceAll(probe, "'", "''")+`']`, 1)
	if r := a.srv.cli("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", spec), "--wait", "--timeout", "150s"); r.code != 0 {
		t.Fatalf("apply: %s\nlogs:\n%s", tail(r.stderr, 5), tail(a.srv.cli("logs", "shop").stdout, 30))
	}
	a.waitServes("v2", 10*time.Second)
	logs := a.srv.mustCLI("logs", "shop").stdout
	for _, want := range []string{"procs=", "dd=137", "pids-limited"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q (memory 64Mi, pids 64):\n%s", want, tail(logs, 30))
		}
	}
	if strings.Contains(logs, "wrote-root") {
		t.Errorf("an instance wrote to the image's root:\n%s", logs)
	}
	for _, line := range strings.Split(logs, "\n") {
		// sh, ls, grep and the subshell: a handful, not the host's.
		if _, n, ok := strings.Cut(line, "procs="); ok && len(n) > 1 {
			t.Errorf("an instance sees %s processes: want only its own (its own pid namespace): %q", n, line)
		}
	}
	host, _ := os.Readlink("/proc/self/ns/pid")
	svc := a.srv.service("shop")
	for id, pid := range revisionPIDs(svc, svc.Revision) {
		if ns, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/pid"); err != nil || ns == host {
			t.Errorf("instance %s (pid %d) pid namespace %q (%v), the host's is %q", id, pid, ns, err, host)
		}
	}
}

// Bad images are refused at apply, with the file's line, and nothing
// changes: the running revision keeps serving.
func TestContainerBadInput(t *testing.T) {
	a := startCtrApp(t, rolling("5s"))
	other, err := imagetest.Image(imagetest.Options{Architecture: otherArch(), Entrypoint: []string{"/order"}})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := a.reg.Tag("shop/foreign", "v1", other)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := imagetest.Image(imagetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bareRef, err := a.reg.Tag("shop/bare", "v1", bare)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		ref, spec string
		want      string
	}{
		"unknown image":      {a.reg.Host + "/shop/nope:v1", "", "image not found in the registry"},
		"other architecture": {foreign, "", "build the image for linux/"},
		"missing entrypoint": {bareRef, `command: ["/order", "--name", "shop", "--port", "${PORT}"]`, "neither an entrypoint nor a cmd"},
		"registry down":      {"127.0.0.1:1/shop/order:v1", "", "could not reach the registry"},
	} {
		t.Run(name, func(t *testing.T) {
			revBefore := a.srv.service("shop").Revision
			text := imageShopSpec(tc.ref, "VERSION: v9", rolling("5s"))
			if tc.spec != "" {
				text = strings.Replace(text, "    "+tc.spec+"\n", "", 1)
			}
			r := a.srv.cli("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", text), "--wait", "--timeout", "30s")
			if r.code == 0 || !strings.Contains(r.stderr, "slipway.yaml:4: services.shop.image") || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("apply of %s: want exit 1 with slipway.yaml:4 and %q; got %s", tc.ref, tc.want, r)
			}
			if rev := a.srv.service("shop").Revision; rev != revBefore {
				t.Errorf("revision %d after a refused apply, was %d", rev, revBefore)
			}
			a.checkServes("v1", 10)
		})
	}
}

// A server whose OCI runtime is missing runs processes as before; a
// release that moves a service to an image cannot start, the rollout
// fails at once naming the runtime, and the process revision keeps
// serving. The server's log says so, once.
func TestContainerRuntimeMissing(t *testing.T) {
	_, ref := serveShopImage(t)
	a := &zdApp{srv: startServer(t, t.TempDir(), "--container-runtime", "/nonexistent/runc"), dir: specDir(t)}
	a.file = a.write("v1", "", "5m")
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "30s")
	a.waitServes("v1", 10*time.Second)
	l := a.startLoad(loadLimit)
	r := a.srv.cli("apply", "-f", writeSpec(t, a.dir, "slipway.yaml", strings.Replace(imageShopSpec(ref, "VERSION: v2", rolling("5m")), "app: ctr", "app: zd", 1)), "--wait", "--timeout", "60s")
	a.srv.waitConverged(20*time.Second, map[string]int{"shop": 3})
	res, took := l.stop()
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "/nonexistent/runc") {
		t.Fatalf("apply of an image without a runtime: want a failure naming the runtime; got %s\n%s", r, describe(a.srv.service("shop")))
	}
	// Not at the 5m deadline: an image that cannot run fails its rollout at once.
	if svc := a.srv.service("shop"); svc.Revision != 1 || svc.Phase != "Ready" {
		t.Errorf("after the failed release: %s; want revision 1 Ready", describe(svc))
	}
	checkNoFailures(t, "release to an image without a runtime", res, took, l.probe)
	a.checkServes("v1", 30)
	if n := strings.Count(a.srv.stderr.String(), "cannot run containers"); n != 1 {
		t.Errorf("the server's log says %d times that it cannot run containers, want once:\n%s", n, tail(a.srv.stderr.String(), 20))
	}
}

// otherArch is a CPU architecture this machine does not run.
func otherArch() string {
	if runtime.GOARCH == "s390x" {
		return "arm64"
	}
	return "s390x"
}

// imagePipelineSpec runs shop from an image in dev and prod (prod takes
// what dev ran); the image's own env says its version.
const imagePipelineSpec = `app: pipe
services:
  shop:
    image: %s
    command: ["/order", "--name", "shop", "--port", "${PORT}"]
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {path: /}
    stopGrace: 2s
    strategy:
      rolling: {maxSurge: 1, progressDeadline: 30s}
environments:
  dev: {}
  prod: {from: dev}
`

// Image versions, pushed by reference (the server pulls) and from a file
// (a docker-save tarball, uploaded), move through environments by digest:
// prod runs exactly the image dev ran, whatever its tag says later.
func TestContainerImageVersionsPromoted(t *testing.T) {
	imagetest.NeedContainers(t)
	v1, v2 := shopVersion(t, "v1"), shopVersion(t, "v2")
	reg := imagetest.Serve("", "")
	defer reg.Close()
	tag, err := reg.Tag("shop/order", "v1", v1)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	registerContainerCleanup(t, data)
	t.Cleanup(func() { stopEnvironmentInstances(t, data) })
	srv := startServer(t, data)
	dir := specDir(t)
	file := writeSpec(t, dir, "slipway.yaml", strings.Replace(imagePipelineSpec, "%s", tag, 1))
	for _, env := range []string{"dev", "prod"} {
		srv.mustCLI("apply", "-f", file, "--env", env, "--wait", "--timeout", "60s")
	}

	r := srv.mustCLI("artifact", "push", "--image", tag, "--service", "shop", "--version", "v1")
	d1 := digestOf(t, v1)
	if !strings.Contains(r.stdout, tag+"@"+d1) {
		t.Fatalf("push --image: %s; want the tag pinned to %s", r, d1)
	}
	tarball := filepath.Join(t.TempDir(), "v2.tar")
	if err := imagetest.WriteTarball(tarball, v2); err != nil {
		t.Fatal(err)
	}
	d2 := digestOf(t, v2)
	r = srv.mustCLI("artifact", "push", "--image-file", tarball, "--image", "shop/order", "--service", "shop", "--version", "v2")
	if !strings.Contains(r.stdout, "shop/order@"+d2) {
		t.Fatalf("push --image-file: %s; want shop/order@%s", r, d2)
	}
	// The tag moves to v2 in the registry: what was pushed as v1 does not.
	if _, err := reg.Tag("shop/order", "v1", v2); err != nil {
		t.Fatal(err)
	}
	srv.mustCLI("deploy", "shop", "--version", "v2", "--env", "dev", "--wait", "--timeout", "60s")
	srv.mustCLI("promote", "shop", "--from", "dev", "--to", "prod", "--wait", "--timeout", "60s")
	srv.mustCLI("deploy", "shop", "--version", "v1", "--env", "dev", "--wait", "--timeout", "60s")
	for env, want := range map[string]string{"dev": d1, "prod": d2} {
		var revs []api.Revision
		decodeCLI(t, srv.mustCLI("history", "shop", "--env", env, "-o", "json"), &revs)
		i := slices.IndexFunc(revs, func(r api.Revision) bool { return r.Current })
		if i < 0 || revs[i].Digest != want {
			t.Errorf("%s runs %+v; want digest %s", env, revs, want)
		}
	}
	// A version of the wrong kind is refused and changes nothing.
	art := filepath.Join(dir, "bin", "order")
	srv.mustCLI("artifact", "push", art, "--service", "shop", "--version", "file1")
	if r := srv.cli("deploy", "shop", "--version", "file1", "--env", "dev"); r.code == 0 || !strings.Contains(r.stderr, "runs an image, and version file1 is a file") {
		t.Errorf("deploy of a file version onto an image service: %s", r)
	}
}

func digestOf(t *testing.T, img v1.Image) string {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}
