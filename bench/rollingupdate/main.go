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
	"strings"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/image/imagetest"
)

func main() { benchkit.Main("bench/rollingupdate", run) }

type config struct {
	runs, instances int
	worktree        bool
	timeout         time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := benchkit.NewFlagSet("rollingupdate", stderr, &c.worktree)
	fs.IntVar(&c.runs, "runs", 5, "measured rolling updates per runtime")
	fs.IntVar(&c.instances, "instances", 10, "instances of the service")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "bound on the whole run (the build excluded)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := benchkit.NoArgs(fs); err != nil {
		return c, err
	}
	if c.runs < 1 || c.instances < 1 || c.instances > 50 {
		return c, fmt.Errorf("want -runs >= 1 and -instances 1..50")
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ws, err := benchkit.NewWorkspace(ctx, benchkit.Build{TempPattern: "slipway-bench-rolling-",
		Packages: []string{"./cmd/slipway", "./examples/order"}, Worktree: cfg.worktree}, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, ws.Close()) }()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	rows := []row{}
	r, err := measure(ctx, cfg, ws, "process", processSpec(cfg.instances), stderr)
	if err != nil {
		return err
	}
	rows = append(rows, r)
	if why := noContainers(); why != "" {
		fmt.Fprintf(stderr, "containers not measured: %s\n", why)
	} else {
		ref, stop, err := serveImage(ws)
		if err != nil {
			return err
		}
		defer stop()
		r, err := measure(ctx, cfg, ws, "container (runc)", imageSpec(ref, cfg.instances), stderr)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	if err := benchkit.PrintMachine(ctx, stdout, benchkit.Fact{Label: "slipway", Value: ws.Source()},
		benchkit.Fact{Label: "setup", Value: fmt.Sprintf("%d instances, rolling maxSurge 2 maxUnavailable 0, %d updates each", cfg.instances, cfg.runs)},
		benchkit.Fact{Label: "runc", Value: benchkit.ToolVersion(ctx, "runc", "--version")}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%-18s %12s %12s %12s %16s\n", "runtime", "median", "min", "max", "per instance")
	for _, r := range rows {
		med := r.times[len(r.times)/2]
		fmt.Fprintf(stdout, "%-18s %12s %12s %12s %16s\n", r.name, med.Round(time.Millisecond), r.times[0].Round(time.Millisecond),
			r.times[len(r.times)-1].Round(time.Millisecond), (med / time.Duration(cfg.instances)).Round(time.Millisecond))
	}
	return nil
}

// row is one runtime's measured updates, sorted.
type row struct {
	name  string
	times []time.Duration
}

// measure starts a server, applies spec (VERSION v0), then times runs
// updates of it.
func measure(ctx context.Context, cfg config, ws *benchkit.Workspace, name, spec string, progress io.Writer) (r row, err error) {
	data, err := os.MkdirTemp("", "slipway-bench-rolling-data-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(data)
	srv, err := benchkit.StartServer(ctx, ws.Path("slipway"), data, 30*time.Second)
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, srv.Close(), deleteContainers(data)) }()
	dir := filepath.Join(data, "spec")
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return r, err
	}
	if err := copyFile(ws.Path("order"), filepath.Join(dir, "bin", "order")); err != nil {
		return r, err
	}
	r.name = name
	for i := 0; i <= cfg.runs; i++ {
		file := filepath.Join(dir, "slipway.yaml")
		if err := os.WriteFile(file, []byte(strings.ReplaceAll(spec, "VERSION_VALUE", fmt.Sprintf("v%d", i))), 0o644); err != nil {
			return r, err
		}
		start := time.Now()
		cmd := srv.Command(ctx, ws.Path("slipway"), "apply", "-f", file, "--wait", "--timeout", "5m")
		if out, err := cmd.CombinedOutput(); err != nil {
			return r, srv.Annotate(fmt.Errorf("%s: apply v%d: %v\n%s", name, i, err, out))
		}
		took := time.Since(start)
		if i == 0 {
			fmt.Fprintf(progress, "%s: first deploy of %d instances in %s\n", name, cfg.instances, took.Round(time.Millisecond))
			continue
		}
		fmt.Fprintf(progress, "%s: rolling update %d in %s\n", name, i, took.Round(time.Millisecond))
		r.times = append(r.times, took)
	}
	slices.Sort(r.times)
	return r, nil
}

const serviceBody = `    env: {VERSION: VERSION_VALUE}
    instances: %d
    health:
      readiness: {http: /healthz, interval: 100ms, failureThreshold: 1}
    route: {host: order.localhost}
    stopGrace: 2s
    strategy:
      rolling: {maxSurge: 2, maxUnavailable: 0, progressDeadline: 2m}
`

func processSpec(n int) string {
	return "app: bench\nservices:\n  order:\n" +
		`    run: ["./bin/order", "--port", "${PORT}"]` + "\n    artifact: {path: ./bin/order}\n" + fmt.Sprintf(serviceBody, n)
}

func imageSpec(ref string, n int) string {
	return "app: bench\nservices:\n  order:\n    image: " + ref + "\n" +
		`    command: ["/order", "--port", "${PORT}"]` + "\n" + fmt.Sprintf(serviceBody, n)
}

// serveImage builds the order service as an image and serves it from a
// registry on loopback; stop closes the registry.
func serveImage(ws *benchkit.Workspace) (ref string, stop func(), err error) {
	order, err := imagetest.Program("./examples/order", "order")
	if err != nil {
		return "", nil, err
	}
	l, err := imagetest.Layer(order)
	if err != nil {
		return "", nil, err
	}
	img, err := imagetest.Image(imagetest.Options{Entrypoint: []string{"/order"}}, l)
	if err != nil {
		return "", nil, err
	}
	reg := imagetest.Serve("", "")
	ref, err = reg.Tag("bench/order", "v1", img)
	if err != nil {
		reg.Close()
		return "", nil, err
	}
	return ref, reg.Close, nil
}

// noContainers says why this machine cannot run containers, or "".
func noContainers() string {
	if _, err := exec.LookPath("runc"); err != nil {
		return "runc is not installed (apt-get install runc)"
	}
	if os.Geteuid() != 0 {
		return "containers need a server running as root"
	}
	return ""
}

// deleteContainers removes the containers a stopped server left (they
// outlive it by design).
func deleteContainers(data string) error {
	root := filepath.Join(data, "containers", ".runtime")
	out, err := exec.Command("runc", "--root", root, "list", "-q").Output()
	if err != nil {
		return nil // no runc, or no containers ever
	}
	var errs []error
	for _, id := range strings.Fields(string(out)) {
		if msg, err := exec.Command("runc", "--root", root, "delete", "-f", id).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("runc delete %s: %v %s", id, err, msg))
		}
	}
	return errors.Join(errs...)
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}
