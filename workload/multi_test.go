package workload_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/container"
	"github.com/slipway-dev/slipway/workload/process"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

var busybox struct {
	once sync.Once
	dir  string
	img  *workload.Image
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if busybox.dir != "" {
		os.RemoveAll(busybox.dir)
	}
	os.Exit(code)
}

// busyboxImage loads a busybox image into a store of the test's and
// unpacks it (once per test binary).
func busyboxImage(t *testing.T) *workload.Image {
	busybox.once.Do(func() {
		files, err := imagetest.Busybox()
		if err != nil {
			busybox.err = err
			return
		}
		l, _ := imagetest.Layer(files...)
		img, err := imagetest.Image(imagetest.Options{Cmd: []string{"sh"}}, l)
		if err != nil {
			busybox.err = err
			return
		}
		dir, err := os.MkdirTemp("", "multi-test-")
		if err != nil {
			busybox.err = err
			return
		}
		busybox.dir = dir
		if busybox.err = imagetest.WriteLayout(filepath.Join(dir, "layout"), img); busybox.err != nil {
			return
		}
		s, err := image.Open(filepath.Join(dir, "images"))
		if err != nil {
			busybox.err = err
			return
		}
		got, err := s.Load(context.Background(), filepath.Join(dir, "layout"))
		if err != nil {
			busybox.err = err
			return
		}
		rootfs, cfg, err := s.Unpack(context.Background(), got.Digest)
		busybox.img, busybox.err = &workload.Image{Digest: got.Digest, Rootfs: rootfs, User: cfg.User}, err
	})
	if busybox.err != nil {
		t.Fatal(busybox.err)
	}
	return busybox.img
}

// newMulti returns a Multi over fresh process and container drivers, and
// a way to build it again over the same state.
func newMulti(t *testing.T) (*workload.Multi, func() workload.Driver) {
	dir := t.TempDir()
	build := func() *workload.Multi {
		return &workload.Multi{
			Process:   process.New(filepath.Join(dir, "processes"), process.Options{}),
			Container: container.New(filepath.Join(dir, "containers"), container.Options{}),
		}
	}
	return build(), func() workload.Driver { return build() }
}

func TestMultiConformanceProcesses(t *testing.T) {
	imagetest.NeedContainers(t)
	workloadtest.Run(t, func(t *testing.T) workloadtest.Harness {
		m, reopen := newMulti(t)
		return workloadtest.Harness{Driver: m, Reopen: reopen}
	}, workloadtest.Shell)
}

func TestMultiConformanceContainers(t *testing.T) {
	imagetest.NeedContainers(t)
	img := busyboxImage(t)
	workloadtest.Run(t, func(t *testing.T) workloadtest.Harness {
		m, reopen := newMulti(t)
		return workloadtest.Harness{Driver: m, Reopen: reopen}
	}, func(b workloadtest.Behavior, s workload.InstanceSpec) workload.InstanceSpec {
		s = workloadtest.Shell(b, s)
		s.Env["HOME"] = "/" // see workload/container's doc: runtimes set it
		s.Image = img
		return s
	})
}

func TestMultiRoutesByKind(t *testing.T) {
	imagetest.NeedContainers(t)
	ctx := context.Background()
	m, _ := newMulti(t)
	serve := workload.InstanceSpec{Service: "s", Command: []string{"sh", "-c", "echo up; exec sleep 60"}, Env: map[string]string{"PATH": "/usr/bin:/bin"}}
	proc, ctr := serve, serve
	proc.ID, ctr.ID = "multi-proc", "multi-ctr"
	ctr.Image = busyboxImage(t)
	for _, s := range []workload.InstanceSpec{proc, ctr} {
		if _, err := m.Start(ctx, s); err != nil {
			t.Fatalf("Start %s: %v", s.ID, err)
		}
		t.Cleanup(func() { _ = m.Stop(ctx, s.ID, 0) })
		workloadtest.WaitLog(t, m, s.ID, "up")
	}
	all, err := m.Observe(ctx)
	if err != nil || len(all) != 2 || all[0].ID != "multi-ctr" || all[1].ID != "multi-proc" {
		t.Fatalf("Observe = %+v, %v; want both, sorted", all, err)
	}
	if !strings.Contains(all[0].Dir, "containers") || !strings.Contains(all[1].Dir, "processes") {
		t.Fatalf("instances landed on the wrong drivers: %+v", all)
	}
	out, err := workload.ExecOutput(ctx, m, "multi-ctr", []string{"sh", "-c", "echo $$"})
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("Exec in the container = %q, %v", out, err)
	}
	for _, id := range []string{"multi-proc", "multi-ctr"} {
		if err := m.Stop(ctx, id, time.Second); err != nil {
			t.Fatalf("Stop %s: %v", id, err)
		}
		if err := m.Remove(ctx, id); err != nil {
			t.Fatalf("Remove %s: %v", id, err)
		}
	}
	if _, err := m.Status(ctx, "multi-ctr"); !errors.Is(err, workload.ErrNotFound) {
		t.Fatalf("Status after Remove = %v, want ErrNotFound", err)
	}
}

func TestMultiWithoutContainers(t *testing.T) {
	m := &workload.Multi{Process: process.New(t.TempDir(), process.Options{})}
	_, err := m.Start(context.Background(), workload.InstanceSpec{ID: "x", Command: []string{"true"}, Image: &workload.Image{Rootfs: "/"}})
	if err == nil || !strings.Contains(err.Error(), "no container driver") {
		t.Fatalf("Start of an image = %v, want no container driver", err)
	}
	if _, err := m.Logs(context.Background(), "x", 1); !errors.Is(err, workload.ErrNotFound) {
		t.Fatalf("Logs = %v, want ErrNotFound", err)
	}
}
