package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/slipway-dev/slipway/image/imagetest"
)

// shopImage is the example order service as an OCI image: a busybox
// userland (for the shell the isolation checks run) and /order, built
// once per test binary. Its entrypoint runs /order.
var shopImage = sync.OnceValues(func() (v1.Image, error) {
	order, err := imagetest.Program("../examples/order", "order")
	if err != nil {
		return nil, err
	}
	files, err := imagetest.Busybox()
	if err != nil {
		return nil, err
	}
	l, err := imagetest.Layer(append(files, order)...)
	if err != nil {
		return nil, err
	}
	return imagetest.Image(imagetest.Options{Entrypoint: []string{"/order"}, Env: []string{"PATH=/bin"}}, l)
})

// serveShopImage fails or skips the test when containers cannot run
// here (imagetest.NeedContainers), else serves the shop image from a
// registry on loopback until the test ends and returns the registry and
// the image's reference (HOST/shop/order:v1).
func serveShopImage(t *testing.T) (*imagetest.Registry, string) {
	t.Helper()
	imagetest.NeedContainers(t)
	img, err := shopImage()
	if err != nil {
		t.Fatal(err)
	}
	reg := imagetest.Serve("", "")
	t.Cleanup(reg.Close)
	ref, err := reg.Tag("shop/order", "v1", img)
	if err != nil {
		t.Fatal(err)
	}
	return reg, ref
}

// shopVersion is the shop image with VERSION=v in its environment (the
// order service answers with it): a version of a digest of its own.
func shopVersion(t *testing.T, v string) v1.Image {
	t.Helper()
	base, err := shopImage()
	if err != nil {
		t.Fatal(err)
	}
	cf, err := base.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Env = []string{"PATH=/bin", "VERSION=" + v}
	img, err := mutate.ConfigFile(base, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// ctrApp is a server running the shop service from an image pulled from a
// registry on loopback.
type ctrApp struct {
	zdApp
	reg *imagetest.Registry
	ref string // HOST/shop/order:v1
}

// startCtrApp starts a registry holding the shop image and a server
// (extra: its flags), registers the cleanup of the server's containers,
// then applies v1 with strategy and waits until the router serves it.
func startCtrApp(t *testing.T, strategy string, extra ...string) *ctrApp {
	t.Helper()
	reg, ref := serveShopImage(t)
	data := t.TempDir()
	registerContainerCleanup(t, data)
	a := &ctrApp{zdApp: zdApp{srv: startServer(t, data, extra...), dir: specDir(t)}, reg: reg, ref: ref}
	a.file = a.writeImage("v1", "", strategy)
	a.srv.mustCLI("apply", "-f", a.file, "--wait", "--timeout", "60s")
	a.srv.waitConverged(20*time.Second, map[string]int{"shop": 3})
	a.waitServes("v1", 10*time.Second)
	return a
}

// imageShopSpec is shopSpec with the service run from image ref (its
// command the order binary inside it), with limits.
func imageShopSpec(ref, env, strategy string) string {
	return fmt.Sprintf(`app: ctr
services:
  shop:
    image: %s
    command: ["/order", "--name", "shop", "--port", "${PORT}"]
    env: {%s}
    instances: 3
    resources: {memory: 64Mi, pids: 64}
    health:
      readiness: {http: /healthz, interval: 200ms, failureThreshold: 1}
    route: {host: %s}
    stopGrace: 2s
    strategy:
      %s
`, ref, env, zdHost, strategy)
}

func (a *ctrApp) writeImage(version, env, strategy string) string {
	return writeSpec(a.srv.t, a.dir, "slipway.yaml", imageShopSpec(a.ref, "VERSION: "+version+env, strategy))
}

// rolling is the zero-downtime rolling strategy of the zd tests.
func rolling(deadline string) string {
	return "rolling: {maxSurge: 1, maxUnavailable: 0, progressDeadline: " + deadline + "}"
}

// registerContainerCleanup deletes, after the test's servers are gone,
// every container the servers over data left running (they outlive a
// server by design), through runc and each environment's state root.
func registerContainerCleanup(t *testing.T, data string) {
	t.Cleanup(func() {
		roots, _ := filepath.Glob(filepath.Join(data, "envs", "*", "containers", ".runtime"))
		roots = append(roots, filepath.Join(data, "containers", ".runtime"))
		for _, root := range roots {
			// Every state folder, not runc list: list fails as a whole
			// when one container's state is half written (a server
			// killed while creating it), and would leave them all.
			ents, _ := os.ReadDir(root)
			for _, e := range ents {
				if !e.IsDir() {
					continue
				}
				if msg, err := exec.Command("runc", "--root", root, "delete", "-f", e.Name()).CombinedOutput(); err != nil {
					t.Logf("runc delete %s: %v %s", e.Name(), err, msg)
				}
			}
		}
		// Each container's monitor records its end in data, then exits:
		// wait for them, so that the folder is not written while removed.
		deadline := time.Now().Add(10 * time.Second)
		for len(monitorsOf(data)) > 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if m := monitorsOf(data); len(m) > 0 {
			t.Errorf("container monitors still running after cleanup: %v; killing what they run", m)
			for _, pid := range m {
				killChildren(pid)
			}
		}
	})
}

// monitorsOf lists the container monitors (argv[0]
// slipway-container-monitor) whose arguments name a path under data.
func monitorsOf(data string) []int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []int
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) > 0 && args[0] == "slipway-container-monitor" && slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, data) }) {
			if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// killChildren sends SIGKILL to every process whose parent is pid (a
// monitor's container, when the runtime could not delete it).
func killChildren(pid int) {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after it.
		i := strings.LastIndexByte(string(b), ')')
		if f := strings.Fields(string(b[i+1:])); i > 0 && len(f) > 1 && f[1] == strconv.Itoa(pid) {
			if child, err := strconv.Atoi(filepath.Base(filepath.Dir(st))); err == nil {
				_ = syscall.Kill(child, syscall.SIGKILL)
			}
		}
	}
}
