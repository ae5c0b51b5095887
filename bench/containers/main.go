package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/image"
	"github.com/slipway-dev/slipway/image/imagetest"
	"github.com/slipway-dev/slipway/workload"
	"github.com/slipway-dev/slipway/workload/container"
	"github.com/slipway-dev/slipway/workload/process"
)

func main() { benchkit.Main("containers", run) }

// row is one line of the table.
type row struct{ what, value, note string }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := benchkit.NewFlagSet("containers", stderr, nil)
	runs := fs.Int("runs", 5, "starts (and pulls) measured per runtime")
	size := fs.Int("size", 50, "size in MB of the pulled image's random layer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if os.Geteuid() != 0 {
		return errors.New("run as root: containers need it")
	}
	tmp, err := os.MkdirTemp("", "bench-containers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// The process driver runs the binary as a dynamic user, who must be
	// able to reach it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	reg := imagetest.Serve("", "")
	defer reg.Close()

	fmt.Fprintln(stderr, "building the example service and its image...")
	prog, err := imagetest.Program("./examples/order", "app/order")
	if err != nil {
		return err
	}
	l, err := imagetest.Layer(prog)
	if err != nil {
		return err
	}
	img, err := imagetest.Image(imagetest.Options{Entrypoint: []string{"/app/order"}, User: "65534"}, l)
	if err != nil {
		return err
	}
	ref, err := reg.Push("bench/order", img)
	if err != nil {
		return err
	}
	binary := filepath.Join(tmp, "order")
	if err := os.WriteFile(binary, prog.Body, 0o755); err != nil {
		return err
	}
	pm := newPodman(ctx, filepath.Join(tmp, "podman"))
	d := container.New(filepath.Join(tmp, "containers"), container.Options{})
	if err := benchkit.PrintMachine(ctx, stdout,
		benchkit.Fact{Label: "runtime", Value: d.Runtime() + ": " + benchkit.ToolVersion(ctx, "runc", "--version")},
		benchkit.Fact{Label: "podman", Value: pm.version()}); err != nil {
		return err
	}

	var rows []row
	procRows, err := measureDriver(ctx, "process", process.New(filepath.Join(tmp, "processes"), process.Options{}), *runs,
		func(s *workload.InstanceSpec) { s.Command[0] = binary })
	if err != nil {
		return err
	}
	rows = append(rows, procRows...)
	st, err := image.Open(filepath.Join(tmp, "images"))
	if err != nil {
		return err
	}
	pulled, err := st.Pull(ctx, ref)
	if err != nil {
		return err
	}
	rootfs, cfg, err := st.Unpack(ctx, pulled.Digest)
	if err != nil {
		return err
	}
	ctrRows, err := measureDriver(ctx, "container", d, *runs, func(s *workload.InstanceSpec) {
		s.Image = &workload.Image{Digest: pulled.Digest, Rootfs: rootfs, User: cfg.User, WorkingDir: cfg.WorkingDir}
	})
	if err != nil {
		return err
	}
	rows = append(rows, ctrRows...)
	rows = append(rows, pm.measureRun(ctx, ref, *runs)...)
	pullRows, err := measurePull(ctx, reg, tmp, *size, *runs, pm)
	if err != nil {
		return err
	}
	rows = append(rows, pullRows...)
	return printTable(stdout, rows)
}

// measureDriver starts the service runs times on d, one at a time, and
// reports the median and slowest start -> ready, and the RSS of the
// service and of its helper (the container's monitor: its parent).
func measureDriver(ctx context.Context, name string, d workload.Driver, runs int, edit func(*workload.InstanceSpec)) ([]row, error) {
	var times []time.Duration
	var rss, helper int64
	for i := range runs {
		addr, err := benchkit.FreeAddr()
		if err != nil {
			return nil, err
		}
		_, port, _ := strings.Cut(addr, ":")
		s := workload.InstanceSpec{ID: fmt.Sprintf("bench-%s-%d", name, i), Service: "order", Revision: 1,
			Command: []string{"/app/order", "--port", port}, Env: map[string]string{"PORT": port}}
		s.Port, _ = strconv.Atoi(port)
		edit(&s)
		begin := time.Now()
		status, err := d.Start(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		ready, err := waitHealthy(ctx, port)
		if err == nil {
			times = append(times, ready.Sub(begin))
			rss = rssAnon(status.PID)
			if name == "container" {
				helper = rssAnon(parent(status.PID))
			}
		}
		stopErr := d.Stop(ctx, s.ID, 5*time.Second)
		if err = errors.Join(err, stopErr, d.Remove(ctx, s.ID)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	mem := mib(rss) + " service"
	if name == "container" {
		mem += " + " + mib(helper) + " monitor"
	}
	return []row{
		{name + ": start -> ready", durations(times), ""},
		{name + ": memory per instance", mem, "private resident (RssAnon)"},
	}, nil
}

// waitHealthy polls /healthz on the port until it answers 200.
func waitHealthy(ctx context.Context, port string) (time.Time, error) {
	url := "http://127.0.0.1:" + port + "/healthz"
	client := &http.Client{Timeout: time.Second}
	return benchkit.Poll(ctx, url, 30*time.Second, 2*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		resp, err := client.Get(url)
		if err != nil {
			return false, err.Error(), nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, resp.Status, nil
	})
}

// measurePull times Pull + Unpack of a size-MB image into fresh stores,
// and podman pull into fresh storage.
func measurePull(ctx context.Context, reg *imagetest.Registry, tmp string, size, runs int, pm *podman) ([]row, error) {
	big, err := randomImage(size)
	if err != nil {
		return nil, err
	}
	ref, err := reg.Push("bench/big", big)
	if err != nil {
		return nil, err
	}
	var times []time.Duration
	var stored int64
	for i := range runs {
		dir := filepath.Join(tmp, fmt.Sprintf("pull-%d", i))
		begin := time.Now()
		st, err := image.Open(dir)
		if err != nil {
			return nil, err
		}
		got, err := st.Pull(ctx, ref)
		if err != nil {
			return nil, err
		}
		if _, _, err := st.Unpack(ctx, got.Digest); err != nil {
			return nil, err
		}
		times = append(times, time.Since(begin))
		stored = got.Size
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
	}
	return []row{
		{"slipway: pull + unpack", durations(times), fmt.Sprintf("%s compressed, from 127.0.0.1", mib(stored))},
		pm.measurePull(ctx, ref, runs),
	}, nil
}

// randomImage is an image of one layer holding a size-MB file of random
// bytes (which no compression shrinks).
func randomImage(size int) (v1.Image, error) {
	body := make([]byte, size<<20)
	if _, err := rand.Read(body); err != nil {
		return nil, err
	}
	l, err := imagetest.Layer(imagetest.File{Name: "data/random", Body: body, Mode: 0o644})
	if err != nil {
		return nil, err
	}
	return imagetest.Image(imagetest.Options{Cmd: []string{"/nothing"}}, l)
}

// rssAnon is pid's private resident memory (RssAnon of /proc/PID/status):
// what one more instance costs, without the pages of its binary that it
// shares with others (RssFile), 0 when unknown.
func rssAnon(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "RssAnon:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// parent is pid's parent PID (0 if unknown).
func parent(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(data), ')')
	f := strings.Fields(string(data)[i+1:])
	if len(f) < 2 {
		return 0
	}
	p, _ := strconv.Atoi(f[1])
	return p
}

// durations says "median M (max X) of N".
func durations(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no measurement"
	}
	slices.Sort(ds)
	return fmt.Sprintf("median %v (max %v) of %d", ds[len(ds)/2].Round(time.Millisecond/10), ds[len(ds)-1].Round(time.Millisecond/10), len(ds))
}

// mib formats bytes as MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// printTable prints the rows aligned.
func printTable(w io.Writer, rows []row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tresult\tnote")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.what, r.value, r.note)
	}
	return tw.Flush()
}
