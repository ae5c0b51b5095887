package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// podman runs Debian's podman with storage of its own under dir.
type podman struct {
	dir string
	// broken says why podman cannot run here ("" when it can).
	broken string
}

// newPodman checks that podman is installed and answers.
func newPodman(ctx context.Context, dir string) *podman {
	p := &podman{dir: dir}
	if _, err := exec.LookPath("podman"); err != nil {
		p.broken = "podman is not installed (apt-get install podman)"
		return p
	}
	if out, err := p.cmd(ctx, 60*time.Second, "info", "--format", "{{.Host.OCIRuntime.Name}}"); err != nil {
		p.broken = "podman info failed: " + firstLine(out, err)
	}
	return p
}

// version is podman's version, or why it cannot run.
func (p *podman) version() string {
	if p.broken != "" {
		return p.broken
	}
	return benchkit.ToolVersion(context.Background(), "podman", "--version")
}

// cmd runs podman with the private storage, bounded by timeout.
func (p *podman) cmd(ctx context.Context, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	all := append([]string{"--root", filepath.Join(p.dir, "root"), "--runroot", filepath.Join(p.dir, "run"),
		"--log-level", "error"}, args...)
	out, err := exec.CommandContext(ctx, "podman", all...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// measureRun pulls ref (not timed), then times `podman run -d` of it to
// its first healthy answer, runs times.
func (p *podman) measureRun(ctx context.Context, ref string, runs int) []row {
	if p.broken != "" {
		return []row{{"podman run: start -> ready", "not measured", p.broken}}
	}
	if out, err := p.cmd(ctx, 2*time.Minute, "pull", "--tls-verify=false", ref); err != nil {
		return []row{{"podman run: start -> ready", "not measured", "podman pull: " + firstLine(out, err)}}
	}
	var times []time.Duration
	var rss, conmon int64
	for i := range runs {
		addr, err := benchkit.FreeAddr()
		if err != nil {
			return []row{{"podman run: start -> ready", "not measured", err.Error()}}
		}
		_, port, _ := strings.Cut(addr, ":")
		name := fmt.Sprintf("bench-podman-%d", i)
		begin := time.Now()
		out, err := p.cmd(ctx, time.Minute, "run", "-d", "--name", name, "--network", "host", "--user", "65534",
			// The open files limit Slipway's instances get; podman's
			// defaults (and any nproc above a few thousand here) ask
			// more than this sandbox lets runc set. Slipway limits
			// processes by the pids cgroup instead.
			"--ulimit", "nofile="+limit(syscall.RLIMIT_NOFILE), "--ulimit", "nproc=4096:4096",
			"--env", "PORT="+port, ref, "--port", port)
		if err == nil {
			var ready time.Time
			if ready, err = waitHealthy(ctx, port); err == nil {
				times = append(times, ready.Sub(begin))
				rss, conmon = p.memory(ctx, name)
			}
		} else {
			err = fmt.Errorf("%s", firstLine(out, err))
		}
		_, _ = p.cmd(ctx, time.Minute, "rm", "-f", "-t", "0", name)
		if err != nil {
			return []row{{"podman run: start -> ready", "not measured", "podman run: " + err.Error()}}
		}
	}
	return []row{
		{"podman run: start -> ready", durations(times), "same image, same registry"},
		{"podman run: memory per instance", mib(rss) + " service + " + mib(conmon) + " conmon", "private resident (RssAnon)"},
	}
}

// memory is the private resident memory of the container's process and
// of its conmon.
func (p *podman) memory(ctx context.Context, name string) (rss, conmon int64) {
	out, err := p.cmd(ctx, 30*time.Second, "inspect", "--format", "{{.State.Pid}} {{.State.ConmonPid}}", name)
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(out)
	if len(f) != 2 {
		return 0, 0
	}
	pid, _ := strconv.Atoi(f[0])
	cpid, _ := strconv.Atoi(f[1])
	return rssAnon(pid), rssAnon(cpid)
}

// measurePull times `podman pull` of ref into fresh storage, runs times.
func (p *podman) measurePull(ctx context.Context, ref string, runs int) row {
	if p.broken != "" {
		return row{"podman pull", "not measured", p.broken}
	}
	var times []time.Duration
	for i := range runs {
		q := &podman{dir: filepath.Join(p.dir, fmt.Sprintf("pull-%d", i))}
		begin := time.Now()
		out, err := q.cmd(ctx, 5*time.Minute, "pull", "--tls-verify=false", ref)
		if err != nil {
			return row{"podman pull", "not measured", firstLine(out, err)}
		}
		times = append(times, time.Since(begin))
		_, _ = q.cmd(ctx, time.Minute, "rmi", "-a", "-f")
		_ = os.RemoveAll(q.dir)
	}
	return row{"podman pull", durations(times), "into fresh storage (overlay), from 127.0.0.1"}
}

// firstLine is the first line of a command's output, or its error.
func firstLine(out string, err error) string {
	line, _, _ := strings.Cut(out, "\n")
	if line == "" && err != nil {
		return err.Error()
	}
	return line
}

// limit is this process's hard limit of resource as podman's --ulimit
// takes it ("hard:hard", at most 65536): podman's defaults ask more than
// a server in a sandbox may give, and Slipway's instances get the same.
func limit(resource int) string {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(resource, &r); err != nil {
		return "1024:1024"
	}
	n := strconv.FormatUint(min(r.Max, 65536), 10)
	return n + ":" + n
}
