package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/config", run) }

type settings struct {
	runs, instances int
	worktree        bool
	timeout         time.Duration
}

func parseFlags(args []string, stderr io.Writer) (settings, error) {
	var c settings
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.runs, "runs", 5, "measured deliveries of each kind")
	fs.IntVar(&c.instances, "instances", 50, "instances of the service (1..100)")
	fs.BoolVar(&c.worktree, "worktree", false, "build the working tree as it is (default: the committed HEAD)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "bound on the whole run (the build excluded)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 || c.runs < 1 || c.instances < 1 || c.instances > 100 {
		return c, fmt.Errorf("want -runs >= 1 and -instances 1..100, and no arguments")
	}
	return c, nil
}

// app reads its config at start and on SIGHUP; its readiness check
// reports the version applied.
const app = `import http.server, os, signal, sys
path = os.environ["SLIPWAY_CONFIG_SETTINGS"]
state = {"version": 0}
def load(*_):
    with open(path) as f:
        f.read()
    with open(path + ".version") as f:
        state["version"] = int(f.read())
load()
signal.signal(signal.SIGHUP, load)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Slipway-Config", "settings=%d" % state["version"])
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
`

const spec = `app: bench
services:
  web:
    run: ["python3", "app.py", "${PORT}"]
    artifact: {path: ./app.py}
    instances: %d
    route: {host: web.localhost}
    health: {readiness: {http: /healthz, interval: 500ms}}
configs:
  settings:
    service: web
    values: {n: 0}
    signal: SIGHUP
    delivery: {%s}
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return errors.New("python3 is not installed (apt-get install python3)")
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{TempPattern: "slipway-bench-config-",
		Packages: []string{"./cmd/slipway"}, Worktree: cfg.worktree}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	b, err := start(ctx, ws, cfg.instances, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, b.close()) }()
	rows, err := b.measureAll(ctx, cfg.runs, stderr)
	if err != nil {
		return b.srv.Annotate(err)
	}
	if err := benchkit.PrintMachine(ctx, stdout, benchkit.Fact{Label: "slipway", Value: ws.Source()},
		benchkit.Fact{Label: "setup", Value: fmt.Sprintf("%d instances (python3 http.server), %d deliveries each", cfg.instances, cfg.runs)},
		benchkit.Fact{Label: "python3", Value: benchkit.ToolVersion(ctx, "python3", "--version")}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%-36s %10s %10s %10s\n", "delivery to every instance", "median", "min", "max")
	for _, r := range rows {
		slices.Sort(r.times)
		fmt.Fprintf(stdout, "%-36s %10s %10s %10s\n", r.name, ms(r.times[len(r.times)/2]), ms(r.times[0]), ms(r.times[len(r.times)-1]))
	}
	return nil
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

type row struct {
	name  string
	times []time.Duration
}

// bench is a server running the app.
type bench struct {
	srv  *benchkit.Server
	seq  int64 // the last event read
	data string
	dir  string
	bin  string
	n    int
}

func start(ctx context.Context, ws *benchkit.Workspace, n int, progress io.Writer) (*bench, error) {
	data, err := os.MkdirTemp("", "slipway-bench-config-data-")
	if err != nil {
		return nil, err
	}
	srv, err := benchkit.StartServer(ctx, ws.Path("slipway"), data, 30*time.Second)
	if err != nil {
		os.RemoveAll(data)
		return nil, err
	}
	b := &bench{srv: srv, data: data, dir: filepath.Join(data, "spec"), bin: ws.Path("slipway"), n: n}
	if err := os.MkdirAll(b.dir, 0o755); err == nil {
		err = os.WriteFile(filepath.Join(b.dir, "app.py"), []byte(app), 0o644)
	}
	if err == nil {
		began := time.Now()
		err = b.apply(ctx, allAtOnce)
		fmt.Fprintf(progress, "%d instances up in %s\n", n, ms(time.Since(began)))
	}
	if err != nil {
		return nil, errors.Join(err, b.close())
	}
	return b, nil
}

func (b *bench) close() error {
	err := b.srv.Stop(10 * time.Second)
	return errors.Join(err, os.RemoveAll(b.data))
}

// The deliveries the rows apply (the flow mapping's content).
const (
	allAtOnce = "strategy: {allAtOnce: {}}"
	linear    = "strategy: {linear: {steps: 5, interval: 1ms}}"
	firstStep = "strategy: {linear: {steps: 5, interval: 1h}}" // a first step, then nothing for an hour
)

// apply applies the spec with a delivery and waits for it.
func (b *bench) apply(ctx context.Context, delivery string) error {
	file := filepath.Join(b.dir, "slipway.yaml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf(spec, b.n, delivery)), 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, b.bin, "--server", b.srv.URL, "apply", "-f", file, "--wait", "--timeout", "5m")
	cmd.Env = b.srv.CLIEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apply: %v\n%s", err, out)
	}
	return nil
}

func (b *bench) measureAll(ctx context.Context, runs int, progress io.Writer) ([]row, error) {
	v := 0 // the values' n: each set makes a new version
	c := b.srv.Client
	set := func(ctx context.Context) (int, time.Time, error) {
		v++
		began := time.Now()
		cf, err := c.EditConfig(ctx, "settings", api.ConfigRequest{Set: []string{"n=" + strconv.Itoa(v)}})
		return cf.Version, began, err
	}
	kinds := []struct {
		name, delivery string
		// traffic runs the load generator through the router for the
		// row (the router provider's data for an analysis).
		traffic bool
		// measure makes one delivery and times it.
		measure func(ctx context.Context, name string) (time.Duration, error)
	}{
		{"by hand (write + SIGHUP): floor", allAtOnce, false, b.untilAllOn(b.byHand)},
		{"slipway allAtOnce", allAtOnce, false, b.untilAllOn(set)},
		{"slipway linear 5 steps", linear, false, b.untilAllOn(set)},
		{"slipway stop -> previous", firstStep, false, b.untilAllOn(b.stopAfterFirstStep(set))},
		{"slipway failed analysis -> previous", failingAnalysis, true, b.analysisFailure(set)},
	}
	var rows []row
	for _, k := range kinds {
		stop := func() {}
		if k.traffic {
			stop = b.traffic(ctx, progress)
		}
		r, err := b.measureRow(ctx, k.name, k.delivery, runs, k.measure, progress)
		stop()
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (b *bench) measureRow(ctx context.Context, name, delivery string, runs int,
	measure func(context.Context, string) (time.Duration, error), progress io.Writer) (row, error) {
	r := row{name: name}
	if err := b.apply(ctx, delivery); err != nil {
		return r, err
	}
	for i := 0; i < runs; i++ {
		if err := b.settle(ctx); err != nil {
			return r, err
		}
		d, err := measure(ctx, name)
		if err != nil {
			return r, fmt.Errorf("%s: %w", name, err)
		}
		r.times = append(r.times, d)
		fmt.Fprintf(progress, "%s: %s\n", name, ms(d))
	}
	return r, nil
}

// untilAllOn times deliver, which starts a delivery and returns the
// version every instance must end on and when the timed part began,
// until every instance answers with that version.
func (b *bench) untilAllOn(deliver func(ctx context.Context) (int, time.Time, error)) func(context.Context, string) (time.Duration, error) {
	return func(ctx context.Context, name string) (time.Duration, error) {
		want, began, err := deliver(ctx)
		if err != nil {
			return 0, err
		}
		at, err := b.pollAllOn(ctx, name, want)
		return at.Sub(began), err
	}
}

func (b *bench) pollAllOn(ctx context.Context, name string, want int) (time.Time, error) {
	return benchkit.Poll(ctx, fmt.Sprintf("%s: every instance on v%d", name, want), 2*time.Minute, 5*time.Millisecond,
		func(ctx context.Context) (bool, string, error) { return b.allOn(ctx, want) })
}

// settle waits for the delivery in flight, if any, to end.
func (b *bench) settle(ctx context.Context) error {
	_, err := benchkit.Poll(ctx, "the delivery to end", time.Minute, 20*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		cf, err := b.srv.Client.Config(ctx, "settings", 0)
		if err != nil || cf.Delivery == nil {
			return false, "", err
		}
		return cf.Delivery.Phase != "Progressing" && cf.Delivery.Phase != "Baking", cf.Delivery.Phase, nil
	})
	return err
}

// stopAfterFirstStep sets a new version, waits for its first step to be
// applied, and stops the delivery: the timer measures from the stop.
func (b *bench) stopAfterFirstStep(set func(context.Context) (int, time.Time, error)) func(context.Context) (int, time.Time, error) {
	return func(ctx context.Context) (int, time.Time, error) {
		prev, err := b.effective(ctx)
		if err != nil {
			return 0, time.Time{}, err
		}
		next, _, err := set(ctx)
		if err != nil {
			return 0, time.Time{}, err
		}
		_, err = benchkit.Poll(ctx, "the first step", time.Minute, 10*time.Millisecond, func(ctx context.Context) (bool, string, error) {
			cf, err := b.srv.Client.Config(ctx, "settings", 0)
			if err != nil || cf.Delivery == nil || cf.Delivery.Version != next {
				return false, "", err
			}
			for _, in := range cf.Delivery.Instances {
				if in.Desired == next && in.Applied != next {
					return false, "", nil
				}
			}
			return cf.Delivery.Step >= 1, cf.Delivery.Phase, nil
		})
		if err != nil {
			return 0, time.Time{}, err
		}
		began := time.Now()
		_, err = b.srv.Client.StopConfig(ctx, "settings", "bench")
		return prev, began, err
	}
}

// effective is the version every instance has once no delivery is in
// flight: the delivery's own, or the one before it when it was stopped
// or rolled back.
func (b *bench) effective(ctx context.Context) (int, error) {
	cf, err := b.srv.Client.Config(ctx, "settings", 0)
	if err != nil {
		return 0, err
	}
	if cf.Delivery == nil {
		return 0, errors.New("config settings has no delivery")
	}
	if cf.Delivery.Phase == "Stopped" || cf.Delivery.Phase == "RolledBack" {
		return cf.Delivery.Previous, nil
	}
	return cf.Delivery.Version, nil
}

// byHand is the peer: what a script that knows where each instance's
// file is would do, write it and send SIGHUP, one instance after another.
func (b *bench) byHand(ctx context.Context) (int, time.Time, error) {
	began := time.Now()
	svc, err := b.srv.Client.Service(ctx, "web")
	if err != nil {
		return 0, began, err
	}
	const version = 1000000 // far from slipway's own numbers
	for _, in := range svc.Instances {
		dir := filepath.Join(b.data, "instances", in.ID, "config")
		if err := writeAtomic(filepath.Join(dir, "settings.json"), []byte(`{"n":-1}`)); err != nil {
			return 0, began, err
		}
		if err := writeAtomic(filepath.Join(dir, "settings.json.version"), []byte(strconv.Itoa(version))); err != nil {
			return 0, began, err
		}
		if err := syscall.Kill(in.PID, syscall.SIGHUP); err != nil {
			return 0, began, err
		}
	}
	return version, began, nil
}

func writeAtomic(path string, data []byte) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := path + ".bench"
	if err := os.WriteFile(tmp, data, st.Mode()); err != nil {
		return err
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		if err := os.Chown(tmp, int(sys.Uid), int(sys.Gid)); err != nil {
			return err
		}
	}
	return os.Rename(tmp, path)
}

// allOn asks every instance directly which version it applied.
func (b *bench) allOn(ctx context.Context, want int) (bool, string, error) {
	on, of, err := b.countOn(ctx, want)
	if err != nil {
		return false, "", err
	}
	return on == b.n && of == b.n, fmt.Sprintf("%d of %d on v%d", on, b.n, want), nil
}

// countOn asks every instance directly which version it applied: how
// many of how many answer want.
func (b *bench) countOn(ctx context.Context, want int) (on, of int, err error) {
	svc, err := b.srv.Client.Service(ctx, "web")
	if err != nil {
		return 0, 0, err
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, in := range svc.Instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if version(ctx, in.Port) == want {
				mu.Lock()
				on++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return on, len(svc.Instances), nil
}

var probe = &http.Client{Timeout: 2 * time.Second}

func version(ctx context.Context, port int) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(port)+"/healthz", nil)
	if err != nil {
		return 0
	}
	resp, err := probe.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	var v int
	_, _ = fmt.Sscanf(resp.Header.Get("Slipway-Config"), "settings=%d", &v)
	return v
}
