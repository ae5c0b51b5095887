package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/flags", run) }

// config is what the flags set.
type config struct {
	dur, warmup time.Duration // each load: measured, and sent before it uncounted
	conns       []int         // connections of the single-flag loads
	bulkConns   int           // connections of the bulk loads
	bulkFlags   int           // flags on the OFREP server, all in each bulk answer
	changes     int           // flag changes timed on the OFREP server
	many        int           // flags applied for the memory measure
	manyChanges int           // flag changes timed with many flags
	flagdBin    string        // a flagd binary to use as the peer
	flagdModule string        // what to `go install` when flagdBin is empty
	worktree    bool          // build the working tree rather than HEAD
	timeout     time.Duration // bound on the whole run
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	c := config{}
	var conns string
	fs := benchkit.NewFlagSet("flags", stderr, &c.worktree)
	fs.DurationVar(&c.dur, "d", 5*time.Second, "measured time of each load")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "load sent before each measured one, not counted")
	fs.StringVar(&conns, "conns", "16,64", "connections of the single-flag loads, comma-separated")
	fs.IntVar(&c.bulkConns, "bulk-conns", 16, "connections of the bulk loads")
	fs.IntVar(&c.bulkFlags, "bulk-flags", 100, "flags on the OFREP server (each bulk answer has all of them)")
	fs.IntVar(&c.changes, "changes", 20, "flag changes (kill, enable, ...) timed with -bulk-flags flags")
	fs.IntVar(&c.many, "many", 10_000, "flags applied for the memory measure")
	fs.IntVar(&c.manyChanges, "many-changes", 5, "flag changes timed with -many flags")
	fs.StringVar(&c.flagdBin, "flagd", "", "a flagd binary to measure as the peer (default: build -flagd-module)")
	fs.StringVar(&c.flagdModule, "flagd-module", "github.com/open-feature/flagd/flagd@latest", "`go install` this for the peer when -flagd is not given (\"\": no peer)")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Minute, "bound on the whole run")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for f := range strings.SplitSeq(conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return c, fmt.Errorf("-conns: %q is not a number of connections (1..1024)", f)
		}
		c.conns = append(c.conns, n)
	}
	if err := benchkit.NoArgs(fs); err != nil {
		return c, err
	}
	switch {
	case c.dur < 100*time.Millisecond || c.warmup < 0:
		return c, fmt.Errorf("-d must be at least 100ms and -warmup not negative")
	case c.bulkConns < 1 || c.bulkFlags < 1 || c.many < 1:
		return c, fmt.Errorf("-bulk-conns, -bulk-flags and -many must be at least 1")
	case c.changes < 1 || c.manyChanges < 0:
		return c, fmt.Errorf("-changes must be at least 1, -many-changes at least 0")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{
		TempPattern: "slipway-bench-flags-",
		Packages:    []string{"./cmd/slipway", "./bench/flags/flagsproc"},
		Worktree:    cfg.worktree,
	}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	loadBefore := benchkit.LoadAverage()
	fmt.Fprintln(stderr, "building the peer (flagd) ...")
	b := &bench{cfg: cfg, ws: ws, peer: prepareFlagd(ctx, cfg, ws), progress: stderr}
	for _, step := range []func(context.Context) error{b.measureOFREP, b.measureInProcess, b.measureMany} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	err = benchkit.PrintMachine(ctx, stdout,
		benchkit.Fact{Label: "slipway", Value: ws.Source()},
		benchkit.Fact{Label: "peer", Value: describePeer(b.peer)},
		benchkit.Fact{Label: "load", Value: describeLoad(cfg)},
		benchkit.LoadFact(loadBefore))
	if err != nil {
		return err
	}
	b.t.print(stdout)
	return nil
}

// bench is one run: what it measures with, and the table it fills.
type bench struct {
	cfg      config
	ws       *benchkit.Workspace
	peer     peer
	t        table
	progress io.Writer // stderr
}

// progressf tells what is being measured now.
func (b *bench) progressf(format string, args ...any) {
	fmt.Fprintf(b.progress, format+"\n", args...)
}

// describePeer is the header line of the peer.
func describePeer(p peer) string {
	if p.missing != "" {
		return "flagd (" + p.version + "): not measured, see the notes"
	}
	return "flagd " + p.version
}

// describeLoad is the load generator in one line, for the header.
func describeLoad(cfg config) string {
	return fmt.Sprintf("Go, closed loop, HTTP/1.1 keep-alive, one goroutine per connection, %s warm-up + %s measured; %d subjects in turn, context {country DE, plan pro, email ann@example.com}: no rule matches, both rules and the split run",
		cfg.warmup, cfg.dur, users)
}
