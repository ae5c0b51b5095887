package process

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/slipway-dev/slipway/workload"
)

// ExecStream runs argv as the instance runs: same user, no
// capabilities, no_new_privs, its environment, in its work directory
// (its mount namespace's view), in a session of its own that is killed
// when ctx ends, writing the combined output to out as it comes. Never
// as the server's root: the work directory is the instance's, and a
// check such as ./check.sh names a file the instance can replace.
func (d *Driver) ExecStream(ctx context.Context, id string, argv []string, out io.Writer) error {
	d.mu.Lock()
	inst, err := d.lookup(id)
	var rec record
	if err == nil {
		rec = inst.rec
	}
	d.mu.Unlock()
	if err != nil {
		return fmt.Errorf("exec in instance %s: %w", id, err)
	}
	if len(argv) == 0 {
		return fmt.Errorf("exec in instance %s: no command", id)
	}
	s := rec.Spec
	s.Command = slices.Clone(argv)
	s.Env = withSecretEnv(s, rec.PID)
	cmd, err := command(s, inst.dir, filepath.Join(inst.dir, "work"), rec.User)
	if err != nil {
		return fmt.Errorf("exec in instance %s: %w", id, err)
	}
	setCredential(cmd, rec.User)
	cmd.Stdout, cmd.Stderr = out, out // one writer: os/exec copies both from one pipe
	if err := startConfined(cmd, inst.dir, rec.User, d.warnNoMount); err != nil {
		return fmt.Errorf("exec in instance %s: %w", id, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	defer stop()
	err = cmd.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

var _ workload.Execer = (*Driver)(nil)

// withSecretEnv returns s's environment with its secret variables,
// which the record on disk leaves out (an instance adopted after a
// restart has only that record), read from the running process's
// /proc/PID/environ: the values the instance itself runs with.
func withSecretEnv(s workload.InstanceSpec, pid int) map[string]string {
	missing := slices.DeleteFunc(slices.Clone(s.SecretEnv), func(k string) bool { _, ok := s.Env[k]; return ok })
	if len(missing) == 0 || pid <= 0 {
		return s.Env
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return s.Env
	}
	env := maps.Clone(s.Env)
	for _, kv := range bytes.Split(data, []byte{0}) {
		k, v, ok := strings.Cut(string(kv), "=")
		if ok && slices.Contains(missing, k) {
			env[k] = v
		}
	}
	return env
}
