package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// Bounds on a child's lifecycle.
const (
	startTimeout = 15 * time.Second // start -> listening
	stopTimeout  = 5 * time.Second  // SIGTERM -> gone, and then SIGKILL -> gone
)

// result is one line of the table.
type result struct {
	name       string
	load       load
	proxyCPU   time.Duration // proxy's utime+stime over the measured run; 0 for direct
	backendCPU time.Duration // backend's, over the same run
	proxied    bool
}

// results are the lines of the table, in order, and the router's profile.
type results struct {
	direct, nginx, nginxAuto, router, split result
	routerGC                                result // the router with -router-gogc; its name is "" without
	base, baseSplit                         result // the router of -base; their names are "" without
	profile                                 string // pprof -top of the router's run; "" if not taken
}

// bench holds what every measurement shares: flags, tools, workspace, the
// backend, and where progress goes.
type bench struct {
	cfg      config
	tools    tools
	ws       *benchkit.Workspace
	backend  *benchkit.Child
	upstream string // the backend's host:port
	progress io.Writer
}

// measureAll starts the backend and measures each target in turn in
// front of it (direct, nginx, the router, the router with a split),
// cfg.rounds times over; the router is profiled in the first round.
func measureAll(ctx context.Context, cfg config, tl tools, ws *benchkit.Workspace, progress io.Writer) (rounds []results, tls tlsResults, idle []idleResult, err error) {
	b := &bench{cfg: cfg, tools: tl, ws: ws, progress: progress}
	if b.upstream, err = benchkit.FreeAddr(); err != nil {
		return nil, tls, idle, err
	}
	b.backend, err = benchkit.StartChild("backend", exec.Command(ws.Path("backend"), "-listen", b.upstream))
	if err != nil {
		return nil, tls, idle, err
	}
	defer func() { err = errors.Join(err, b.backend.Stop(stopTimeout)) }()
	if err := b.backend.WaitListening(ctx, b.upstream, startTimeout); err != nil {
		return nil, tls, idle, err
	}
	if cfg.idle > 0 {
		if idle, err = b.measureIdle(ctx); err != nil {
			return nil, tls, idle, err
		}
	}
	if cfg.tls {
		if tls, err = b.measureTLS(ctx); err != nil {
			return nil, tls, idle, err
		}
	}
	for i := range cfg.rounds {
		if cfg.rounds > 1 {
			fmt.Fprintf(progress, "round %d of %d\n", i+1, cfg.rounds)
		}
		res, err := b.round(ctx, i == 0)
		if err != nil {
			return nil, tls, idle, err
		}
		rounds = append(rounds, res)
	}
	return rounds, tls, idle, nil
}

// round measures every target once, profiling the router when profile is
// true.
func (b *bench) round(ctx context.Context, profile bool) (res results, err error) {
	if res.direct, err = b.measure(ctx, "direct", "http://"+b.upstream+"/", nil, nil); err != nil {
		return res, err
	}
	if res.nginx, err = b.nginx(ctx, "1"); err != nil {
		return res, err
	}
	if res.nginxAuto, err = b.nginx(ctx, "auto"); err != nil {
		return res, err
	}
	bin := b.ws.Path("routerproc")
	if res.router, res.profile, err = b.router(ctx, bin, "slipway router", false, profile, 0); err != nil {
		return res, err
	}
	if res.split, _, err = b.router(ctx, bin, "slipway router 90/10", true, false, 0); err != nil {
		return res, err
	}
	if n := b.cfg.routerGOGC; n > 0 {
		if res.routerGC, _, err = b.router(ctx, bin, fmt.Sprintf("slipway router, GOGC=%d", n), false, false, n); err != nil {
			return res, err
		}
	}
	if rev := b.cfg.base; rev != "" {
		base := filepath.Join(b.ws.Path("base"), "routerproc")
		if res.base, _, err = b.router(ctx, base, "slipway router @"+rev, false, false, 0); err != nil {
			return res, err
		}
		res.baseSplit, _, err = b.router(ctx, base, "slipway router 90/10 @"+rev, true, false, 0)
	}
	return res, err
}

// nginx measures nginx in front of the backend, with workers worker
// processes ("1" or "auto").
func (b *bench) nginx(ctx context.Context, workers string) (r result, err error) {
	listen, err := benchkit.FreeAddr()
	if err != nil {
		return r, err
	}
	dir := b.ws.Path("nginx-" + workers)
	proc, err := startNginx(b.tools.nginx, dir, listen, b.upstream, workers)
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, proc.Stop(stopTimeout)) }()
	if err := proc.WaitListening(ctx, listen, startTimeout); err != nil {
		return r, fmt.Errorf("%w\nnginx error log:\n%s", err, nginxLog(dir))
	}
	name := "nginx, 1 worker"
	if workers == "auto" {
		name = "nginx, workers auto"
	}
	return b.measure(ctx, name, "http://"+listen+"/", proc, nil)
}

// router measures routerproc (the binary bin) in front of the backend,
// with a 90/10 split between two revisions (both on the backend) when
// split is true, and with the garbage collector's GOGC set to gogc when
// it is above 0. With profile, the run is profiled and the profile comes
// back as pprof -top text.
func (b *bench) router(ctx context.Context, bin, name string, split, profile bool, gogc int) (r result, top string, err error) {
	listen, err := benchkit.FreeAddr()
	if err != nil {
		return r, "", err
	}
	pprofAddr, err := benchkit.FreeAddr()
	if err != nil {
		return r, "", err
	}
	args := []string{"-listen", listen, "-backend", b.upstream, "-pprof", pprofAddr}
	if split {
		args = append(args, "-canary", b.upstream)
	}
	cmd := exec.Command(bin, args...)
	if gogc > 0 {
		cmd.Env = append(os.Environ(), "GOGC="+strconv.Itoa(gogc))
	}
	proc, err := benchkit.StartChild(name, cmd)
	if err != nil {
		return r, "", err
	}
	defer func() { err = errors.Join(err, proc.Stop(stopTimeout)) }()
	if err := proc.WaitListening(ctx, listen, startTimeout); err != nil {
		return r, "", err
	}
	var prof *profiler
	if profile && (b.cfg.topN > 0 || b.cfg.keepProfile != "") {
		file := b.ws.Path("router.pprof")
		if b.cfg.keepProfile != "" {
			file = b.cfg.keepProfile
		}
		prof = newProfiler(bin, pprofAddr, file, b.cfg)
	}
	if r, err = b.measure(ctx, name, "http://"+listen+"/", proc, prof); err != nil || prof == nil {
		return r, "", err
	}
	top, err = prof.top(ctx)
	return r, top, err
}

// measure warms target up, then runs wrk against url for the configured
// duration and takes the CPU time the proxy (nil for direct) and the
// backend spent meanwhile. A non-nil prof profiles the proxy over the run.
func (b *bench) measure(ctx context.Context, name, url string, proxy *benchkit.Child, prof *profiler) (result, error) {
	return b.measureWith(ctx, name, proxy, prof, func(ctx context.Context, d time.Duration) (load, error) {
		return runWrk(ctx, b.tools.wrk, url, b.cfg, d)
	})
}

// measureWith is measure with the load generator run for d by gen.
func (b *bench) measureWith(ctx context.Context, name string, proxy *benchkit.Child, prof *profiler, gen func(context.Context, time.Duration) (load, error)) (result, error) {
	r := result{name: name, proxied: proxy != nil}
	if b.cfg.warmup > 0 {
		fmt.Fprintf(b.progress, "%s: warm-up %s ...\n", name, b.cfg.warmup)
		if _, err := gen(ctx, b.cfg.warmup); err != nil {
			return r, fmt.Errorf("%s: warm-up: %w", name, err)
		}
	}
	fmt.Fprintf(b.progress, "%s: %s ...\n", name, b.cfg.duration)
	before, err := b.cpu(proxy)
	if err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	if prof != nil {
		prof.start(ctx)
	}
	r.load, err = gen(ctx, b.cfg.duration)
	if err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	after, err := b.cpu(proxy)
	if err != nil {
		return r, fmt.Errorf("%s: %w", name, err)
	}
	if prof != nil {
		if err := prof.wait(); err != nil {
			return r, fmt.Errorf("%s: %w", name, err)
		}
	}
	r.proxyCPU, r.backendCPU = after[0]-before[0], after[1]-before[1]
	if r.load.non2xx > 0 {
		fmt.Fprintf(b.progress, "%s: warning: %d responses were not 2xx/3xx\n", name, r.load.non2xx)
	}
	return r, nil
}

// cpu is the CPU time so far of the proxy (with its children; 0 when nil)
// and of the backend.
func (b *bench) cpu(proxy *benchkit.Child) ([2]time.Duration, error) {
	var t [2]time.Duration
	var err error
	if proxy != nil {
		if t[0], err = benchkit.TreeCPU(proxy.PID()); err != nil {
			return t, err
		}
	}
	t[1], err = benchkit.CPUTime(b.backend.PID())
	return t, err
}
