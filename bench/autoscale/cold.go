package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// host is the services' route.
const host = "fn.localhost"

// coldRow is one service's cold starts through the router and floors.
type coldRow struct {
	name        string
	cold, floor []time.Duration
}

// serviceSpec is a's spec with scale (a YAML flow mapping) and extra
// env (flow mapping body).
func serviceSpec(a app, scale, env string) string {
	run := make([]string, len(a.run))
	for i, s := range a.run {
		run[i] = strconv.Quote(s)
	}
	return fmt.Sprintf(`app: bench
services:
  fn:
    run: [%s]
    artifact: {path: ./%s, version: v1}
    env: {%s}
    health:
      readiness: {http: /healthz, interval: 100ms, failureThreshold: 3}
    route: {host: %s}
    stopGrace: 2s
    scale: %s
`, strings.Join(run, ", "), a.file, env, host, scale)
}

// startApplied starts a server and applies spec from dir.
func startApplied(ctx context.Context, bin, dir, spec string) (*benchkit.Server, func() error, error) {
	data, err := os.MkdirTemp("", "slipway-bench-autoscale-data-")
	if err != nil {
		return nil, nil, err
	}
	srv, err := benchkit.StartServer(ctx, bin, data, 30*time.Second)
	if err != nil {
		os.RemoveAll(data)
		return nil, nil, err
	}
	stop := func() error { return errors.Join(srv.Close(), os.RemoveAll(data)) }
	file := filepath.Join(dir, "slipway.yaml")
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		return nil, nil, errors.Join(err, stop())
	}
	cmd := srv.Command(ctx, bin, "apply", "-f", file, "--wait", "--timeout", "2m")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, errors.Join(srv.Annotate(fmt.Errorf("apply: %v\n%s", err, out)), stop())
	}
	return srv, stop, nil
}

func measureCold(ctx context.Context, runs int, bin, dir string, a app, progress io.Writer) (r coldRow, err error) {
	r.name = a.name
	srv, stop, err := startApplied(ctx, bin, dir, serviceSpec(a, "{min: 0, max: 2, target: {concurrency: 10}, idleAfter: 1s}", "VERSION: v1"))
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, stop()) }()
	client := &http.Client{Timeout: 30 * time.Second}
	// Each cold start is followed by a floor, so that a machine whose load
	// drifts during the run weighs on both alike.
	for i := range runs {
		if err := waitZero(ctx, srv); err != nil {
			return r, srv.Annotate(err)
		}
		start := time.Now()
		if err := get(ctx, client, "http://"+srv.RouterAddr+"/", host); err != nil {
			return r, srv.Annotate(fmt.Errorf("cold request %d: %w", i+1, err))
		}
		r.cold = append(r.cold, time.Since(start))
		d, err := floor(ctx, dir, a)
		if err != nil {
			return r, fmt.Errorf("floor: %w", err)
		}
		r.floor = append(r.floor, d)
		fmt.Fprintf(progress, "%s: cold start %d through the router: %s, floor: %s\n", a.name, i+1, ms(r.cold[i]), ms(d))
	}
	if cg, _ := floorCgroup(); cg != "" {
		_ = os.Remove(cg) // empty now: every floor process was waited for
	}
	return r, nil
}

// waitZero waits until fn has no instance and wants none.
func waitZero(ctx context.Context, srv *benchkit.Server) error {
	_, err := benchkit.Poll(ctx, "fn scaled to zero", time.Minute, 50*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		s, err := srv.Client.Service(ctx, "fn")
		if err != nil {
			return false, err.Error(), nil
		}
		return s.Desired == 0 && len(s.Instances) == 0, fmt.Sprintf("desired %d, %d instances", s.Desired, len(s.Instances)), nil
	})
	return err
}

// get sends one GET with Host host and wants a 200.
func get(ctx context.Context, c *http.Client, url, host string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Host = host
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return nil
}

// floor starts a's command with plain exec in dir, with the environment
// an instance gets (PORT and PATH), in a CPU cgroup beside the
// instances' when it can make one (on a busy machine a process in the
// crowded root cgroup gets far less CPU than one in a cgroup of its
// own, as every instance is), polls /healthz every 1ms (as often as
// slipway checks a starting instance: a slower poll would add its lag to
// the floor alone) until it answers 200, then sends the request: the
// time from the exec to that answer.
func floor(ctx context.Context, dir string, a app) (time.Duration, error) {
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return 0, err
	}
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	argv := make([]string, len(a.run))
	for i, s := range a.run {
		argv[i] = strings.ReplaceAll(s, "${PORT}", port)
	}
	if argv[0], err = instancePath(argv[0]); err != nil {
		return 0, err
	}
	attr := &syscall.SysProcAttr{Setpgid: true}
	// Into the cgroup before the command runs, as slipway does: on v2
	// cloned into it, on v1 through a shell that joins it first (as
	// slipway's v1 wrapper).
	switch cg, v1 := floorCgroup(); {
	case cg == "":
	case v1:
		argv = append([]string{"/bin/sh", "-c", `echo $$ > "$0" && exec "$@"`, filepath.Join(cg, "cgroup.procs")}, argv...)
	default:
		f, err := os.Open(cg)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		attr.UseCgroupFD, attr.CgroupFD = true, int(f.Fd())
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, []string{"PORT=" + port, "PATH=" + os.Getenv("PATH")} // as an instance's: no HOME, no PYTHON*
	cmd.SysProcAttr = attr
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	if _, err := benchkit.Poll(ctx, "floor ready", 30*time.Second, time.Millisecond, func(ctx context.Context) (bool, string, error) {
		err := get(ctx, client, "http://"+addr+"/healthz", "")
		return err == nil, fmt.Sprint(err), nil
	}); err != nil {
		return 0, err
	}
	if err := get(ctx, client, "http://"+addr+"/", host); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// instancePath finds a bare command name as an instance's unprivileged
// user does (workload/process skips what only root may run): in a PATH
// directory every user may enter. Root's own PATH may first name, say,
// ~/.pyenv/shims, whose python3 is a shell script that adds 300ms to
// every start, and the floor would then measure another program.
func instancePath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if p := filepath.Join(dir, name); filepath.IsAbs(p) && othersMayRun(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found in a PATH directory every user may enter", name)
}

// othersMayRun reports whether any user may run the file at the
// absolute path p: it and every folder above it are open to others.
func othersMayRun(p string) bool {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o001 == 0 {
		return false
	}
	for d := filepath.Dir(p); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == "/" {
			return true
		}
	}
}

// floorCgroup returns a CPU cgroup beside the instances' (cgroup v1
// cpu/slipway/bench-floor, v2 slipway/bench-floor), made if need be, and
// whether it is v1; "" when there is none to be had (not root, no
// cgroups): the floor then runs where the benchmark does.
func floorCgroup() (dir string, v1 bool) {
	for _, parent := range []string{"/sys/fs/cgroup/cpu/slipway", "/sys/fs/cgroup/slipway"} {
		if _, err := os.Stat(filepath.Join(parent, "cgroup.procs")); err != nil {
			continue
		}
		dir := filepath.Join(parent, "bench-floor")
		if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
			return "", false
		}
		return dir, strings.HasPrefix(parent, "/sys/fs/cgroup/cpu/")
	}
	return "", false
}
