package process

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"syscall"

	"github.com/slipway-dev/slipway/workload"
)

// Exec runs argv (an exec health check) as the instance runs: same user,
// no capabilities, no_new_privs, its environment, in its work directory
// (its mount namespace's view), in a session of its own that is killed
// when ctx ends. It returns the combined output. Never as the server's
// root: the work directory is the instance's, and a check such as
// ./check.sh names a file the instance can replace.
func (d *Driver) Exec(ctx context.Context, id string, argv []string) ([]byte, error) {
	d.mu.Lock()
	inst, err := d.lookup(id)
	var rec record
	if err == nil {
		rec = inst.rec
	}
	d.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("exec in instance %s: %w", id, err)
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("exec in instance %s: no command", id)
	}
	s := rec.Spec
	s.Command = slices.Clone(argv)
	cmd, err := command(s, inst.dir, filepath.Join(inst.dir, "work"), rec.User)
	if err != nil {
		return nil, fmt.Errorf("exec in instance %s: %w", id, err)
	}
	setCredential(cmd, rec.User)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := startConfined(cmd, inst.dir, rec.User, d.warnNoMount); err != nil {
		return nil, fmt.Errorf("exec in instance %s: %w", id, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	defer stop()
	err = cmd.Wait()
	if ctx.Err() != nil {
		return out.Bytes(), ctx.Err()
	}
	return out.Bytes(), err
}

var _ workload.Execer = (*Driver)(nil)
