package container_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/container"
)

// shared is the image store every test of the package uses: images are
// pulled from a loopback registry once and unpacked once.
var shared struct {
	once  sync.Once
	dir   string
	store *image.Store
	reg   *imagetest.Registry
	err   error
	mu    sync.Mutex
	built map[string]*workload.Image
}

func TestMain(m *testing.M) {
	if dir := os.Getenv(serverEnv); dir != "" {
		os.Exit(actAsServer(dir))
	}
	code := m.Run()
	if shared.reg != nil {
		shared.reg.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// testImage returns the unpacked image named key, building it with build
// on first use, pushing it to the loopback registry and pulling it back.
func testImage(t *testing.T, key string, build func() (v1.Image, error)) *workload.Image {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "container-test-")
		if shared.err == nil {
			shared.store, shared.err = image.Open(filepath.Join(shared.dir, "images"))
		}
		shared.reg = imagetest.Serve("", "")
		shared.built = map[string]*workload.Image{}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if img, ok := shared.built[key]; ok {
		return img
	}
	img, err := build()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := shared.reg.Push("test/"+key, img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := shared.store.Pull(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	rootfs, cfg, err := shared.store.Unpack(context.Background(), got.Digest)
	if err != nil {
		t.Fatal(err)
	}
	w := &workload.Image{Digest: got.Digest, Rootfs: rootfs, User: cfg.User, WorkingDir: cfg.WorkingDir}
	shared.built[key] = w
	return w
}

// busybox is an image of busybox's shell userland, as root (unset user).
func busybox(t *testing.T) *workload.Image {
	return testImage(t, "busybox", func() (v1.Image, error) {
		files, err := imagetest.Busybox()
		if err != nil {
			return nil, err
		}
		l, err := imagetest.Layer(files...)
		if err != nil {
			return nil, err
		}
		return imagetest.Image(imagetest.Options{Cmd: []string{"sh"}}, l)
	})
}

// newDriver returns a Driver over a fresh directory.
func newDriver(t *testing.T) (*container.Driver, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "containers")
	return container.New(dir, container.Options{}), dir
}

// shellSpec is an instance of the busybox image running a shell script.
func shellSpec(t *testing.T, id, script string) workload.InstanceSpec {
	return workload.InstanceSpec{
		ID: id, Service: "svc", Revision: 1, Port: 0,
		Command: []string{"sh", "-c", script},
		Env:     map[string]string{"PATH": "/bin"},
		Image:   busybox(t),
	}
}

var idSeq struct {
	sync.Mutex
	n int
}

// newID returns an instance ID unique in the test binary.
func newID(prefix string) string {
	idSeq.Lock()
	defer idSeq.Unlock()
	idSeq.n++
	return fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), idSeq.n)
}
