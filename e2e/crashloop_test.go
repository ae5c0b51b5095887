package e2e

import (
	"regexp"
	"testing"
	"time"
)

const crashSpec = `app: crash
services:
  boom:
    run: ["sh", "-c", "echo boom >&2; exit 3"]
    instances: 1
    health:
      readiness: {http: /healthz, interval: 200ms}
    strategy:
      rolling: {progressDeadline: 6s}
`

func TestCrashLoopIsReported(t *testing.T) {
	srv := startServer(t, t.TempDir())
	file := writeSpec(t, t.TempDir(), "slipway.yaml", crashSpec)
	start := time.Now()
	r := srv.cli("apply", "-f", file, "--wait", "--timeout", "60s")
	t.Logf("apply took %s:\n%s", time.Since(start).Round(time.Millisecond), r)
	if r.code == 0 {
		t.Fatalf("apply --wait of a crashing service exited 0")
	}
	if d := time.Since(start); d < 5*time.Second {
		t.Errorf("apply failed after %s, before the 6s progress deadline", d)
	}
	out := r.stdout + r.stderr
	for what, re := range map[string]string{
		"the service":     `service:\s+boom`,
		"the exit status": `exit status 3`,
		"restarts":        `(?i)restart`,
		"the log line":    `(?s)last log lines:.*boom`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("failed apply output does not name %s (%s)", what, re)
		}
	}
	if !hasEvent(srv.events(), "boom", "instance.crashloop") {
		t.Errorf("no instance.crashloop event; events: %v", eventTypes(srv.events()))
	}
}
