package container_test

import (
	"context"
	"strings"
	"syscall"
	"testing"

	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/workloadtest"
)

// TestConfigFilesReachTheContainer: a container reads its config files
// where ConfigPath says, read-only; a new version written while it runs
// is seen through the bind, and the signal reaches its init.
func TestConfigFilesReachTheContainer(t *testing.T) {
	imagetest.NeedContainers(t)
	d, _ := newDriver(t)
	path := d.ConfigPath("", "settings")
	if path != "/"+image.ConfigMountDir+"/settings.json" {
		t.Fatalf("ConfigPath %s: not where image.Unpack makes the mount point (%s)", path, image.ConfigMountDir)
	}
	s := shellSpec(t, newID("config"), `trap 'echo "hup $(cat $CFG.version) $(cat $CFG)"' HUP
echo "start $(cat $CFG.version) $(cat $CFG)"; while true; do sleep 0.1; done`)
	s.Env["CFG"] = path
	s.Configs = []workload.ConfigFile{{Name: "settings", Version: 1, Data: []byte(`{"a":1}`)}}
	if _, err := d.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Stop(context.Background(), s.ID, 0) })
	workloadtest.WaitLog(t, d, s.ID, `start 1 {"a":1}`)

	if err := d.WriteConfig(context.Background(), s.ID, workload.ConfigFile{Name: "settings", Version: 2, Data: []byte(`{"a":2}`),
		Signal: syscall.SIGHUP}); err != nil {
		t.Fatal(err)
	}
	workloadtest.WaitLog(t, d, s.ID, `hup 2 {"a":2}`)
	out, err := workload.ExecOutput(context.Background(), d, s.ID, []string{"sh", "-c", "echo x > " + path})
	if err == nil || !strings.Contains(string(out), "Read-only file system") {
		t.Errorf("the instance wrote its config: %v %s", err, out)
	}
	if err := d.WriteConfig(context.Background(), "never", workload.ConfigFile{Name: "settings", Version: 1}); err == nil {
		t.Error("WriteConfig of an unknown instance succeeded")
	}
}
