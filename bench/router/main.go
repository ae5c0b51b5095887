package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/router", run) }

// config is what the flags set.
type config struct {
	duration    time.Duration // each measured wrk run
	warmup      time.Duration // wrk run before each measured one (not counted)
	connections int           // wrk -c
	threads     int           // wrk -t
	rounds      int           // times every target is measured; the table has medians
	topN        int           // functions of the router's profile to print
	keepProfile string        // copy the router's CPU profile here ("" keeps none)
	routerGOGC  int           // also measure the router with this GOGC (0: not)
	worktree    bool          // build the working tree rather than HEAD
	tls         bool          // also measure TLS and HTTP/2 (tls.go)
	idle        int           // also measure memory per idle connection with this many (idle.go)
	base        string        // also measure the router of this git revision ("" does not)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("router", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&c.duration, "d", 10*time.Second, "duration of each measured wrk run")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "wrk run before each measured run, not counted (0 skips it)")
	fs.IntVar(&c.connections, "c", 64, "wrk connections")
	fs.IntVar(&c.threads, "t", 1, "wrk threads")
	fs.IntVar(&c.rounds, "rounds", 1, "measure every target this many times, interleaved, and print medians")
	fs.StringVar(&c.keepProfile, "keep-profile", "", "also write the router's CPU profile to this file")
	fs.IntVar(&c.topN, "top", 15, "functions of the router's CPU profile to print (0 skips the profile)")
	fs.IntVar(&c.routerGOGC, "router-gogc", 0, "also measure the router with GOGC set to this, as its own row (the server sets GOGC=400 and a 1 GiB soft memory limit, internal/gctune; 100 shows Go's default; 0 skips the row)")
	fs.BoolVar(&c.tls, "tls", false, "also measure nginx and the router over TLS (keep-alive, a new handshake per request, HTTP/2 with h2load when installed), one round")
	fs.IntVar(&c.idle, "idle", 0, "also measure the memory of this many idle keep-alive connections (e.g. 10000) on nginx and the router (0 skips it)")
	fs.StringVar(&c.base, "base", "", "also measure the router as it is at this git revision (e.g. main), in the same rounds, so that a change is compared with what it changes under the same load")
	fs.BoolVar(&c.worktree, "worktree", false, "build the router from the working tree as it is (default: the committed HEAD)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.duration < time.Second:
		return c, fmt.Errorf("-d must be at least 1s, got %s", c.duration)
	case c.warmup != 0 && c.warmup < time.Second:
		return c, fmt.Errorf("-warmup must be 0 or at least 1s, got %s", c.warmup)
	case c.threads < 1 || c.connections < c.threads:
		return c, fmt.Errorf("need -t >= 1 and -c >= -t, got -t %d -c %d", c.threads, c.connections)
	case c.rounds < 1:
		return c, fmt.Errorf("-rounds must be >= 1, got %d", c.rounds)
	case c.topN < 0:
		return c, fmt.Errorf("-top must be >= 0, got %d", c.topN)
	case c.routerGOGC < 0:
		return c, fmt.Errorf("-router-gogc must be >= 0, got %d", c.routerGOGC)
	}
	return c, nil
}

// tools are the programs the benchmark runs, found on PATH.
type tools struct{ nginx, wrk, h2load string }

// findTools looks nginx and wrk up, and says how to install them if
// either is missing.
func findTools() (tools, error) {
	var t tools
	var missing []error
	for name, dst := range map[string]*string{"nginx": &t.nginx, "wrk": &t.wrk} {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, fmt.Errorf("%s not found on PATH", name))
		}
		*dst = p
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("%w\ninstall them first, e.g. on Debian or Ubuntu: apt-get install -y nginx-light wrk", errors.Join(missing...))
	}
	t.h2load, _ = exec.LookPath("h2load") // optional: Debian's nghttp2-client
	return t, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	tl, err := findTools()
	if err != nil {
		return err
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{
		TempPattern: "slipway-bench-router-",
		Packages:    []string{"./bench/router/routerproc", "./bench/router/backend"},
		Worktree:    cfg.worktree,
	}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	facts := []benchkit.Fact{
		{Label: "nginx", Value: strings.TrimPrefix(benchkit.ToolVersion(ctx, tl.nginx, "-v"), "nginx version: ")},
		{Label: "wrk", Value: benchkit.ToolVersion(ctx, tl.wrk, "--version")},
		{Label: "router", Value: ws.Source()}}
	if cfg.base != "" {
		short, err := ws.BuildRevision(ctx, cfg.base, "base", stderr, "./bench/router/routerproc")
		if err != nil {
			return err
		}
		cfg.base = short
		facts = append(facts, benchkit.Fact{Label: "base", Value: cfg.base + " (rows @" + cfg.base + ")"})
	}
	err = benchkit.PrintMachine(ctx, stdout, facts...)
	if err != nil {
		return err
	}
	rounds, tlsRes, idle, err := measureAll(ctx, cfg, tl, ws, stderr)
	if err != nil {
		return err
	}
	printTable(stdout, cfg, rounds)
	if cfg.tls {
		printTLSTable(stdout, cfg, tlsRes)
	}
	if cfg.idle > 0 {
		printIdle(stdout, idle)
	}
	if top := rounds[0].profile; top != "" {
		fmt.Fprintf(stdout, "\nslipway router, CPU profile over its measured run (top %d by flat time):\n%s", cfg.topN, top)
	}
	return nil
}
