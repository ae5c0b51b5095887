package monkey

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/loadgen"
)

// Config says what a chaos run does.
type Config struct {
	Slipway, Order string // the binaries
	Dir            string // a folder of its own: one data folder per strategy
	Strategies     []Strategy
	// Rollouts per strategy; each is cut by at least one kill -9.
	Rollouts int
	// MaxDelay bounds the random delay before a kill.
	MaxDelay time.Duration
	// Stops is how many instances are stopped with SIGSTOP (on the first
	// strategy's server, after its rollouts).
	Stops int
	Rand  *rand.Rand // default: seeded from the clock
	// Log receives one line per rollout (default: discarded).
	Log io.Writer
}

// withDefaults fills what cfg leaves out: a discarded log, a seeded
// random source, a 3s delay.
func (cfg Config) withDefaults() Config {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 3 * time.Second
	}
	return cfg
}

// Counts are what a run saw.
type Counts struct {
	Kills int
	// Outcomes counts rollouts by strategy and the state their operation
	// ended in ("stuck" when it did not end).
	Outcomes map[Strategy]map[string]int
	// Stopped counts SIGSTOP'd instances, Replaced those found unhealthy
	// and replaced.
	Stopped, Replaced int
	// Backups counts backups taken through the API mid-rollout, whole
	// (and restored and checked) or cut by a kill.
	Backups, BackupsCut int
	// Requests and Failed count the background load through the router
	// (requests fail while the server, which runs the router, is dead).
	Requests, Failed int64
	// Violations are the invariants found broken, one line each.
	Violations []string
	// DiskFull is the full-disk scenario's report (empty when not run).
	DiskFull []string
}

// Run runs the kill -9 rounds of every strategy, then the SIGSTOP ones.
func Run(ctx context.Context, cfg Config) (Counts, error) {
	cfg = cfg.withDefaults()
	c := Counts{Outcomes: map[Strategy]map[string]int{}}
	for i, s := range cfg.Strategies {
		stops := 0
		if i == 0 {
			stops = cfg.Stops
		}
		if err := runStrategy(ctx, cfg, s, stops, &c); err != nil {
			return c, fmt.Errorf("%s: %w", s, err)
		}
	}
	return c, nil
}

// bench is one strategy's server, data folder and spec folder.
type bench struct {
	cfg      Config
	strategy Strategy
	data     string
	specDir  string
	router   string
	srv      *server
}

// runStrategy drives cfg.Rollouts rollouts of one strategy on a server of
// its own, under a light load, then stops instances.
func runStrategy(ctx context.Context, cfg Config, s Strategy, stops int, c *Counts) (err error) {
	b, err := newBench(ctx, cfg, s)
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.setup(ctx); err != nil {
		return err
	}
	lctx, stopLoad := context.WithCancel(ctx)
	var load loadgen.Result
	var wg sync.WaitGroup
	wg.Go(func() {
		load = loadgen.Run(lctx, loadgen.Config{URL: "http://" + b.router + "/", Host: host, Workers: 2,
			Interval: 20 * time.Millisecond, Timeout: 2 * time.Second})
	})
	defer func() { stopLoad(); wg.Wait(); c.Requests += load.Sent; c.Failed += load.Failed }()
	if c.Outcomes[s] == nil {
		c.Outcomes[s] = map[string]int{}
	}
	for n := 2; n < cfg.Rollouts+2; n++ {
		if err := b.rollout(ctx, n, c); err != nil {
			return err
		}
	}
	for range stops {
		if err := b.stopInstance(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// newBench makes the strategy's folders and starts its server.
func newBench(ctx context.Context, cfg Config, s Strategy) (*bench, error) {
	dir := filepath.Join(cfg.Dir, strconv.Itoa(int(cfg.Rand.Int32())))
	b := &bench{cfg: cfg, strategy: s, data: filepath.Join(dir, "data"), specDir: filepath.Join(dir, "spec")}
	if err := os.MkdirAll(filepath.Join(b.specDir, "bin"), 0o755); err != nil {
		return nil, err
	}
	bin, err := os.ReadFile(cfg.Order)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(b.specDir, "bin", "order"), bin, 0o755); err != nil {
		return nil, err
	}
	if b.router, err = freeAddr(); err != nil {
		return nil, err
	}
	b.srv, err = startServer(ctx, cfg.Slipway, b.data, b.router)
	return b, err
}

// close kills the server and every instance it started.
func (b *bench) close() {
	if b.srv != nil {
		b.srv.kill()
	}
	endInstances(b.data)
}

// setup deploys the first version (or sets the pipeline up).
func (b *bench) setup(ctx context.Context) error {
	if b.strategy == Promotion {
		return b.setupPipeline(ctx)
	}
	_, err := b.apply(ctx, 1, true)
	return err
}

// started is how apply says which operation it started.
var started = regexp.MustCompile(`operation (\d+) started`)

// apply writes version n of the spec and applies it (waiting for the
// rollout when wait is set), returning the operation's id.
func (b *bench) apply(ctx context.Context, n int, wait bool) (int64, error) {
	file := filepath.Join(b.specDir, "slipway.yaml")
	if err := os.WriteFile(file, []byte(spec(b.strategy, n)), 0o644); err != nil {
		return 0, err
	}
	args := []string{"apply", "-f", file}
	if wait {
		args = append(args, "--wait", "--timeout", "60s")
	}
	out, err := b.srv.cli(ctx, 70*time.Second, args...)
	if err != nil {
		return 0, err
	}
	m := started.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("apply v%d started no operation: %s", n, out)
	}
	return strconv.ParseInt(m[1], 10, 64)
}

// rollout applies version n, kills the server -9 once or twice at random
// moments, restarts it over the same data, lets the rollout finish and
// checks the invariants.
func (b *bench) rollout(ctx context.Context, n int, c *Counts) error {
	op, err := b.start(ctx, n)
	if err != nil {
		return err
	}
	kills := 1 + b.cfg.Rand.IntN(2)
	for i := range kills {
		b.nudge(ctx)
		var bk *pendingBackup
		if i == 0 && b.cfg.Rand.IntN(2) == 0 {
			bk = b.startBackup(ctx)
		}
		time.Sleep(time.Duration(b.cfg.Rand.Int64N(int64(b.cfg.MaxDelay) + 1)))
		b.srv.kill()
		if bk != nil {
			b.checkBackup(ctx, bk, c)
		}
		c.Kills++
		if b.srv, err = startServer(ctx, b.cfg.Slipway, b.data, b.router); err != nil {
			return err
		}
	}
	state := b.finish(ctx, op)
	c.Outcomes[b.strategy][state]++
	v := checkAll(ctx, b.srv)
	if state == "stuck" {
		v = append(v, fmt.Sprintf("operation %d did not end within 90s", op))
	}
	for _, line := range v {
		c.Violations = append(c.Violations, fmt.Sprintf("%s, v%d: %s", b.strategy, n, line))
	}
	fmt.Fprintf(b.cfg.Log, "%s v%d: %d kill(s), %s %d %s, %d violation(s)\n", b.strategy, n, kills, b.what(), op, state, len(v))
	return nil
}

// start starts rollout n: an apply, or a promotion into prod.
func (b *bench) start(ctx context.Context, n int) (int64, error) {
	if b.strategy == Promotion {
		return b.startPromotion(ctx, n)
	}
	return b.apply(ctx, n, false)
}

// nudge does what a person would for the rollout to go on: promote a
// blue/green, approve a promotion.
func (b *bench) nudge(ctx context.Context) {
	switch {
	case b.strategy.needsPromote():
		_, _ = b.srv.cli(ctx, 10*time.Second, "rollout", "promote", "shop")
	case b.strategy == Promotion:
		b.approve(ctx)
	}
}

// what names what a rollout of the strategy is.
func (b *bench) what() string {
	if b.strategy == Promotion {
		return "promotion"
	}
	return "operation"
}

// finish waits (up to 90s) for operation op to end, promoting it when a
// person would, and returns its state ("stuck" if it did not end).
func (b *bench) finish(ctx context.Context, op int64) string {
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		b.nudge(ctx)
		if b.strategy == Promotion {
			if st := b.promotionState(ctx, op); promotionTerminal(st) {
				return st
			}
			time.Sleep(300 * time.Millisecond)
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		o, err := b.srv.client.Operation(cctx, op)
		cancel()
		if err == nil && o.Terminal {
			return o.State
		}
		time.Sleep(300 * time.Millisecond)
	}
	return "stuck"
}

// errNoInstance is stopInstance finding nothing to stop.
var errNoInstance = errors.New("no running instance to stop")
