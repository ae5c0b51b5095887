package container_test

import (
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/container"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// TestConformance runs the driver suite with workloadtest's shell
// programs inside a busybox image (the artifact case's script needs
// /bin/sh).
func TestConformance(t *testing.T) {
	imagetest.NeedContainers(t)
	img := busybox(t)
	workloadtest.Run(t, func(t *testing.T) workloadtest.Harness {
		dir := filepath.Join(t.TempDir(), "containers")
		return workloadtest.Harness{
			Driver: container.New(dir, container.Options{}),
			Reopen: func() workload.Driver { return container.New(dir, container.Options{}) },
		}
	}, func(b workloadtest.Behavior, s workload.InstanceSpec) workload.InstanceSpec {
		s = workloadtest.Shell(b, s)
		// OCI runtimes set HOME when the environment has none (see the
		// package doc); an environment that names it is kept exactly.
		s.Env["HOME"] = "/"
		s.Image = img
		return s
	})
}
