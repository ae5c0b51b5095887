// Package shop is the small HTTP service the demo and the end-to-end
// tests deploy (as `invoice` and `order`). Its behaviour is set by its
// environment, so one binary can play a good release and a bad one:
//
//	VERSION       reported in every response (default "v1")
//	FAIL_RATE     fraction of requests answered 500 (0..1, default 0)
//	START_DELAY   how long to wait before listening (e.g. 2s)
//	NEVER_READY   when "1", /healthz always answers 503
//	CRASH_AFTER   exit with status 3 after this long (e.g. 5s)
//	LATENCY       how long each request to / takes (e.g. 50ms): load
//	              that holds requests in flight, for the autoscaler
package shop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// Options is the service's behaviour.
type Options struct {
	Name       string
	Version    string
	FailRate   float64
	StartDelay time.Duration
	NeverReady bool
	CrashAfter time.Duration
	Latency    time.Duration
}

// FromEnv reads Options from the environment (see the package doc).
func FromEnv(name string) (Options, error) {
	o := Options{Name: name, Version: envOr("VERSION", "v1"), NeverReady: os.Getenv("NEVER_READY") == "1"}
	var err error
	if s := os.Getenv("FAIL_RATE"); s != "" {
		if o.FailRate, err = strconv.ParseFloat(s, 64); err != nil || o.FailRate < 0 || o.FailRate > 1 {
			return o, fmt.Errorf("FAIL_RATE=%q: want a number from 0 to 1", s)
		}
	}
	if o.StartDelay, err = envDuration("START_DELAY"); err != nil {
		return o, err
	}
	if o.CrashAfter, err = envDuration("CRASH_AFTER"); err != nil {
		return o, err
	}
	o.Latency, err = envDuration("LATENCY")
	return o, err
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envDuration(k string) (time.Duration, error) {
	s := os.Getenv(k)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s=%q: want a duration like 2s", k, s)
	}
	return d, nil
}

// Handler serves the shop API: / (a JSON greeting) and /healthz.
func Handler(o Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if o.NeverReady {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if !sleep(r.Context(), o.Latency) {
			return // the client left
		}
		if o.FailRate > 0 && rand.Float64() < o.FailRate {
			http.Error(w, "injected failure", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"service": o.Name, "version": o.Version, "path": r.URL.Path,
			"revision": os.Getenv("SLIPWAY_REVISION"), "instance": os.Getenv("SLIPWAY_INSTANCE"),
		})
	})
	return mux
}

// Serve listens on port after StartDelay and serves until ctx ends.
func Serve(ctx context.Context, o Options, port int) error {
	if !sleep(ctx, o.StartDelay) {
		return nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", port, err)
	}
	srv := &http.Server{Handler: Handler(o), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if o.CrashAfter > 0 {
		time.AfterFunc(o.CrashAfter, func() {
			fmt.Fprintf(os.Stderr, "%s: crashing after %s as asked (CRASH_AFTER)\n", o.Name, o.CrashAfter)
			os.Exit(3)
		})
	}
	fmt.Fprintf(os.Stdout, "%s %s listening on 127.0.0.1:%d\n", o.Name, o.Version, port)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}
