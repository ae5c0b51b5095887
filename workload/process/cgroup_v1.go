package process

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/spec"
)

// v1Controllers are the v1 hierarchies an instance gets a cgroup in.
var v1Controllers = []string{"cpu", "memory", "pids"}

// v1Wrapper is the /bin/sh script that puts itself in the instance's
// cgroups and then execs the command, so the command's first instruction
// already runs inside them. Arguments: "=PWD" or "" (dash sets PWD, which
// the instance's environment must not gain), the cgroup.procs files, "--",
// then the command.
const v1Wrapper = `p=$1; shift
for f do
	shift
	[ "$f" = -- ] && break
	echo $$ > "$f" || exit 125
done
if [ -n "$p" ]; then PWD=${p#=}; export PWD; else unset PWD; fi
exec "$@"`

// cgroupsV1 manages instance cgroups on v1 hierarchies:
// root/<controller>/slipway/<id>.
type cgroupsV1 struct {
	root string
}

// newCgroupsV1 creates root/<controller>/slipway for each controller.
func newCgroupsV1(root string) (*cgroupsV1, error) {
	for _, ctl := range v1Controllers {
		if err := os.MkdirAll(filepath.Join(root, ctl, cgroupParent), 0o755); err != nil {
			return nil, err
		}
	}
	return &cgroupsV1{root: root}, nil
}

func (c *cgroupsV1) dirs(id string) []string {
	var dirs []string
	for _, ctl := range v1Controllers {
		dirs = append(dirs, filepath.Join(c.root, ctl, cgroupParent, id))
	}
	return dirs
}

func (c *cgroupsV1) create(id string, r spec.Resources) error {
	for _, dir := range c.dirs(id) {
		if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
			return err
		}
	}
	cpu, mem, pids := c.dirs(id)[0], c.dirs(id)[1], c.dirs(id)[2]
	quota, memory, maxPIDs := "-1", "-1", "max"
	if r.CPU > 0 {
		quota = strconv.FormatInt(cpuQuota(r.CPU), 10)
	}
	if r.Memory > 0 {
		memory = strconv.FormatInt(int64(r.Memory), 10)
	}
	if r.PIDs > 0 {
		maxPIDs = strconv.Itoa(r.PIDs)
	}
	for _, w := range []struct{ dir, name, value string }{
		{cpu, "cpu.cfs_period_us", strconv.Itoa(cpuPeriod)},
		{cpu, "cpu.cfs_quota_us", quota},
		{mem, "memory.limit_in_bytes", memory},
		{pids, "pids.max", maxPIDs},
	} {
		if err := writeFile(w.dir, w.name, w.value); err != nil {
			return err
		}
	}
	if r.Memory > 0 {
		// Keep swap out of it too; absent without swap accounting.
		_ = writeFile(mem, "memory.memsw.limit_in_bytes", memory)
	}
	return nil
}

// enter rewrites cmd to run through v1Wrapper.
func (c *cgroupsV1) enter(id string, cmd *exec.Cmd) (func(), error) {
	pwd := ""
	for _, kv := range cmd.Env {
		if v, ok := strings.CutPrefix(kv, "PWD="); ok {
			pwd = "=" + v
		}
	}
	args := []string{"/bin/sh", "-c", v1Wrapper, "slipway-cgroup", pwd}
	for _, dir := range c.dirs(id) {
		args = append(args, filepath.Join(dir, "cgroup.procs"))
	}
	args = append(args, "--", cmd.Path)
	args = append(args, cmd.Args[1:]...)
	if _, err := os.Stat("/bin/sh"); err != nil {
		return nil, fmt.Errorf("cgroup v1 wrapper: %w", err)
	}
	cmd.Path, cmd.Args = "/bin/sh", args
	return func() {}, nil
}

func (c *cgroupsV1) kill(id string) {
	for _, dir := range c.dirs(id) {
		killProcs(dir)
	}
}
