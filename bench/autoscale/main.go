package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

func main() { benchkit.Main("bench/autoscale", run) }

type config struct {
	runs     int
	worktree bool
	skipStep bool
	stepRate int
	timeout  time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := benchkit.NewFlagSet("autoscale", stderr, &c.worktree)
	fs.IntVar(&c.runs, "runs", 5, "cold starts measured per service (and floors)")
	fs.BoolVar(&c.skipStep, "skip-step", false, "measure cold starts only")
	fs.IntVar(&c.stepRate, "step-rate", 500, "the step's req/s (an instance of the Python service answers about 500)")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Minute, "bound on the whole run (the build excluded)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := benchkit.NoArgs(fs); err != nil {
		return c, err
	}
	if c.runs < 1 || c.stepRate <= lowRate || c.stepRate > maxRequestsInFlight {
		return c, fmt.Errorf("want -runs >= 1 and -step-rate in (%d, %d]", lowRate, maxRequestsInFlight)
	}
	return c, nil
}

// pyApp is the Python service: python3's http.server, threaded, each
// request to / holding one lock for WORK_MS (an instance's capacity is
// 1000/WORK_MS req/s, as one busy core's would be).
const pyApp = `import http.server, os, threading, time
work = float(os.environ.get("WORK_MS", "0")) / 1000
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path != "/healthz" and work:
            with lock:
                time.sleep(work)
        body = b'{"service": "py"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class S(http.server.ThreadingHTTPServer):
    request_queue_size = 1024  # socketserver's 5 drops connections under load; gunicorn's is 2048
S(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
`

// app is one measured service: how to run it, from a spec folder
// holding its files.
type app struct {
	name string
	run  []string // the command, in the spec folder
	file string   // the artifact, relative to the spec folder
}

var apps = []app{
	{name: "Go (example order service)", run: []string{"./bin/order", "--port", "${PORT}"}, file: "bin/order"},
	{name: "Python (http.server)", run: []string{"python3", "./app.py"}, file: "app.py"},
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return fmt.Errorf("python3 is needed for the Python service: apt-get install -y python3")
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{TempPattern: "slipway-bench-autoscale-",
		Packages: []string{"./cmd/slipway", "./examples/order"}, Worktree: cfg.worktree}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	specDir, err := os.MkdirTemp("", "slipway-bench-autoscale-spec-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(specDir)
	if err := setupSpecDir(specDir, ws.Path("order")); err != nil {
		return err
	}
	var colds []coldRow
	for _, a := range apps {
		r, err := measureCold(ctx, cfg.runs, ws.Path("slipway"), specDir, a, stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", a.name, err)
		}
		colds = append(colds, r)
	}
	var step *stepResult
	if !cfg.skipStep {
		s, err := measureStep(ctx, ws.Path("slipway"), specDir, cfg.stepRate, stderr)
		if err != nil {
			return fmt.Errorf("step: %w", err)
		}
		step = &s
	}
	if err := benchkit.PrintMachine(ctx, stdout, benchkit.Fact{Label: "slipway", Value: ws.Source()},
		benchkit.Fact{Label: "python3", Value: benchkit.ToolVersion(ctx, "python3", "--version")}); err != nil {
		return err
	}
	printCold(stdout, colds, cfg.runs)
	if step != nil {
		printStep(stdout, *step)
	}
	return nil
}

// setupSpecDir puts the services' files where the specs name them.
func setupSpecDir(dir, order string) error {
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return err
	}
	b, err := os.ReadFile(order)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "order"), b, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "app.py"), []byte(pyApp), 0o644)
}

func printCold(w io.Writer, rows []coldRow, runs int) {
	fmt.Fprintf(w, "\ncold start: one request to a service scaled to zero, through the router, against its process's own start and readiness (the floor); %d runs\n", runs)
	fmt.Fprintf(w, "%-28s %14s %14s %14s %14s %10s\n", "service", "router median", "router max", "floor median", "floor max", "ratio")
	for _, r := range rows {
		cm, fm := median(r.cold), median(r.floor)
		fmt.Fprintf(w, "%-28s %14s %14s %14s %14s %9.2fx\n", r.name, ms(cm), ms(slices.Max(r.cold)), ms(fm), ms(slices.Max(r.floor)),
			cm.Seconds()/fm.Seconds())
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }
