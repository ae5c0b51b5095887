package monkey

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// stopInstance stops one instance with SIGSTOP: its liveness probe must
// find it unhealthy and the server replace its process (the record gets
// another pid). The stopped process is then resumed (SIGCONT) if the
// server left it alive, and killed if it still runs apart from any
// record: it is the suite's, by pid. The invariants are checked after.
func (b *bench) stopInstance(ctx context.Context, c *Counts) error {
	svc, err := b.srv.client.Service(ctx, "shop")
	if err != nil {
		return fmt.Errorf("stop an instance: %w", err)
	}
	if len(svc.Instances) == 0 {
		return errNoInstance
	}
	victim := svc.Instances[b.cfg.Rand.IntN(len(svc.Instances))]
	if err := syscall.Kill(victim.PID, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("SIGSTOP pid %d: %w", victim.PID, err)
	}
	c.Stopped++
	replaced := b.waitReplaced(ctx, victim.ID, victim.PID)
	if alive(victim.PID) {
		_ = syscall.Kill(victim.PID, syscall.SIGCONT)
	}
	if replaced {
		c.Replaced++
	} else {
		c.Violations = append(c.Violations, fmt.Sprintf("%s: instance %s (pid %d) SIGSTOP'd and not replaced within 30s",
			b.strategy, victim.ID, victim.PID))
	}
	if replaced && alive(victim.PID) {
		_ = syscall.Kill(victim.PID, syscall.SIGKILL)
		c.Violations = append(c.Violations, fmt.Sprintf("%s: instance %s replaced, its stopped process (pid %d) left running",
			b.strategy, victim.ID, victim.PID))
	}
	v := checkAll(ctx, b.srv)
	for _, line := range v {
		c.Violations = append(c.Violations, fmt.Sprintf("%s, SIGSTOP: %s", b.strategy, line))
	}
	fmt.Fprintf(b.cfg.Log, "%s SIGSTOP %s (pid %d): replaced %t, %d violation(s)\n", b.strategy, victim.ID, victim.PID, replaced, len(v))
	return nil
}

// waitReplaced waits up to 30s until the instance id runs another process
// than pid (or its record is gone and the service is whole again).
func (b *bench) waitReplaced(ctx context.Context, id string, pid int) bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		svc, err := b.srv.client.Service(ctx, "shop")
		if err == nil && !alive(pid) {
			ready, found := 0, false
			for _, in := range svc.Instances {
				if in.Ready && alive(in.PID) {
					ready++
				}
				found = found || (in.ID == id && in.PID != pid && in.PID != 0)
			}
			if ready == svc.Desired && (found || len(svc.Instances) == svc.Desired) {
				return true
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}
