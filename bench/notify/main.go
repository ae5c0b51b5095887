package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/internal/clock"
	"github.com/slipway-dev/slipway/notify"
	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

func main() { benchkit.Main("bench/notify", run) }

const key = "whsec-bench"

const spec = `app: shop
services:
  web: {run: [./web]}
notifications:
  audit:
    webhook: {url: '${secret.hook}', secret: hook-key}
    events: ['*']
`

// receiver answers 200 to every POST and tells arrivals by event ID.
type receiver struct {
	mu      sync.Mutex // guards arrived
	arrived map[string]time.Time
	got     chan string
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if err := notify.Verify([]byte(key), body, req.Header.Get(notify.HeaderSignature), time.Now(), notify.DefaultTolerance); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	id := req.Header.Get(notify.HeaderEventID)
	r.mu.Lock()
	r.arrived[id] = time.Now()
	r.mu.Unlock()
	r.got <- id
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench/notify", flag.ContinueOnError)
	n := fs.Int("n", 500, "events delivered one at a time (latency)")
	burst := fs.Int("burst", 2000, "events appended in one transaction (throughput)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-notify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	rc := &receiver{arrived: map[string]time.Time{}, got: make(chan string, *burst+*n+16)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: rc}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/hook"

	floor, err := direct(ctx, url, *n, rc)
	if err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	db, err := sqlite.Open(filepath.Join(dir, "slipway.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	st := store.NewNotifier(db)
	box, err := secret.LoadOrCreateKey(filepath.Join(dir, "secrets.key"))
	if err != nil {
		return err
	}
	if err := setUp(ctx, st, box, url); err != nil {
		return err
	}
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	d := notify.New(notify.Config{Env: notify.Log{Name: "default", Store: st, Changed: st.Changed}, Box: box,
		Clock: clock.Real{}, Logger: slog.New(slog.DiscardHandler)})
	go d.Run(dctx)
	lat, err := oneAtATime(ctx, st, rc, *n)
	if err != nil {
		return err
	}
	took, err := burstOf(ctx, st, rc, *burst)
	if err != nil {
		return err
	}
	if err := benchkit.PrintMachine(ctx, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nnotification latency, event appended (its transaction begins) -> receiver has it (%d events, one at a time)\n", *n)
	fmt.Fprintf(stdout, "%-40s %10s %10s %10s\n", "", "p50", "p99", "max")
	row(stdout, "slipway notify (SQLite, signed webhook)", lat)
	row(stdout, "floor: direct signed POST", floor)
	fmt.Fprintf(stdout, "\nburst: %d events in one transaction -> all received: %s (%.0f events/s, one at a time in order)\n",
		*burst, took.Round(time.Millisecond), float64(*burst)/took.Seconds())
	return nil
}

func row(w io.Writer, name string, d []time.Duration) {
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	fmt.Fprintf(w, "%-40s %10s %10s %10s\n", name, q(0.5).Round(time.Microsecond), q(0.99).Round(time.Microsecond), d[len(d)-1].Round(time.Microsecond))
}

// direct POSTs n signed bodies as the lane would, timing each to its
// arrival.
func direct(ctx context.Context, url string, n int, rc *receiver) ([]time.Duration, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	var out []time.Duration
	for i := range n {
		body := []byte(fmt.Sprintf(`{"id":"floor-%d","env":"default","seq":%d,"type":"service.rollout.failed","message":"x"}`, i, i))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		id := fmt.Sprintf("floor-%d", i)
		req.Header.Set(notify.HeaderEventID, id)
		start := time.Now()
		req.Header.Set(notify.HeaderSignature, notify.Sign([]byte(key), body, start))
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err := await(ctx, rc, id); err != nil {
			return nil, err
		}
		out = append(out, rc.at(id).Sub(start))
	}
	return out, nil
}

func (r *receiver) at(id string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.arrived[id]
}

func await(ctx context.Context, rc *receiver, id string) error {
	deadline := time.After(30 * time.Second)
	for {
		select {
		case got := <-rc.got:
			if got == id {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("event %s not received in 30s", id)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func setUp(ctx context.Context, st store.Store, box *secret.Box, url string) error {
	return st.Update(ctx, func(tx store.Tx) error {
		for name, v := range map[string]string{"hook": url, "hook-key": key} {
			if _, _, err := secret.Put(tx, box, name, []byte(v), secret.ViaSet, "bench", time.Now()); err != nil {
				return err
			}
		}
		return tx.PutApp(store.App{Name: "shop", Spec: spec, File: "slipway.yaml", AppliedAt: time.Now()})
	})
}

// oneAtATime appends n events, each once the previous one arrived.
func oneAtATime(ctx context.Context, st store.Store, rc *receiver, n int) ([]time.Duration, error) {
	var out []time.Duration
	for range n {
		start := time.Now()
		e, err := appendEvents(ctx, st, 1)
		if err != nil {
			return nil, err
		}
		id := fmt.Sprintf("default-%d", e)
		if err := await(ctx, rc, id); err != nil {
			return nil, err
		}
		out = append(out, rc.at(id).Sub(start))
	}
	return out, nil
}

// burstOf appends n events in one transaction and times until the last
// arrived.
func burstOf(ctx context.Context, st store.Store, rc *receiver, n int) (time.Duration, error) {
	start := time.Now()
	last, err := appendEvents(ctx, st, n)
	if err != nil {
		return 0, err
	}
	if err := await(ctx, rc, fmt.Sprintf("default-%d", last)); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// appendEvents commits n events and returns the last one's seq.
func appendEvents(ctx context.Context, st store.Store, n int) (int64, error) {
	var last int64
	err := st.Update(ctx, func(tx store.Tx) error {
		for range n {
			e, err := tx.AppendEvent(store.Event{Time: time.Now(), Type: store.EventRolloutFailed, Service: "web", Message: "bench"})
			if err != nil {
				return err
			}
			last = e.Seq
		}
		return nil
	})
	return last, err
}
