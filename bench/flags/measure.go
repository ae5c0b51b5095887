package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/slipway-dev/slipway/bench/flags/flagspec"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// Bounds on the helper's measures.
const (
	hotPathTimeout = 2 * time.Minute
	compileTimeout = 5 * time.Minute
	changeTimeout  = 30 * time.Second // one change seen by every watcher
)

// bulkSubjects is how many contexts (each with its ETag) the bulk loads
// cycle through.
const bulkSubjects = 64

// measureOFREP starts a server with -bulk-flags flags (the benchmark
// flag first), and measures single-flag loads (beside flagd's, when
// there is a flagd), bulk loads with and without If-None-Match, and
// the time a flag change takes to reach a client.
func (b *bench) measureOFREP(ctx context.Context) (err error) {
	cfg := b.cfg
	dir := b.ws.Path("ofrep")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make run directory: %w", err)
	}
	b.progressf("OFREP: starting a server with %d flags ...", cfg.bulkFlags)
	srv, err := startServer(ctx, b.ws.Path("slipway"), dir)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	if _, err := srv.apply(ctx, "slipway.yaml", flagspec.Lines(flagspec.Bench, cfg.bulkFlags, true), true); err != nil {
		return srv.Annotate(err)
	}
	if _, err := srv.waitServed(ctx, flagspec.BenchKey, benchkit.HealthyTimeout); err != nil {
		return srv.Annotate(err)
	}
	fd := b.startPeer(ctx, dir)
	if fd != nil {
		defer func() { err = errors.Join(err, fd.Close()) }()
	}
	if err := b.measureSingle(ctx, srv, fd); err != nil {
		return srv.Annotate(err)
	}
	if err := b.measureBulk(ctx, srv); err != nil {
		return srv.Annotate(err)
	}
	return srv.Annotate(b.measureChanges(ctx, srv, flagspec.BenchKey, cfg.changes))
}

// startPeer starts flagd when there is one; when it does not start, the
// peer says why and there is none.
func (b *bench) startPeer(ctx context.Context, dir string) *flagd {
	if b.peer.bin == "" {
		return nil
	}
	b.progressf("OFREP: starting flagd ...")
	fd, err := startFlagd(ctx, b.peer.bin, dir)
	if err != nil {
		b.peer.missing = "flagd did not start: " + err.Error()
		return nil
	}
	return fd
}

// measureSingle loads one flag at each -conns, Slipway then flagd.
func (b *bench) measureSingle(ctx context.Context, srv *server, fd *flagd) error {
	cfg := b.cfg
	reason, err := checkSingle(ctx, srv.URL, flagspec.BenchKey)
	if err != nil {
		return err
	}
	for _, c := range cfg.conns {
		b.progressf("OFREP: one flag, %d connections ...", c)
		r, err := load{addr: srv.APIAddr, reqs: singleRequests(srv.APIAddr, flagspec.BenchKey), status: http.StatusOK,
			conns: c, warmup: cfg.warmup, dur: cfg.dur, pid: srv.Proc.PID()}.run(ctx)
		if err != nil {
			return err
		}
		peerCell := "not measured " + b.t.note("flagd: "+b.peer.missing)
		if fd != nil {
			p, err := load{addr: fd.ofrepAddr, reqs: singleRequests(fd.ofrepAddr, flagspec.BenchKey), status: http.StatusOK,
				conns: c, warmup: cfg.warmup, dur: cfg.dur, pid: fd.proc.PID()}.run(ctx)
			if err != nil {
				return err
			}
			peerCell = fmtLoad(p)
		}
		b.t.add(fmt.Sprintf("OFREP 1 flag (reason %s), %d conns", reason, c), fmtLoad(r), peerCell)
	}
	return nil
}

// measureBulk loads the bulk endpoint with fresh answers, then with
// If-None-Match naming each context's ETag (304, nothing evaluated).
func (b *bench) measureBulk(ctx context.Context, srv *server) error {
	cfg := b.cfg
	if err := checkBulk(ctx, srv.URL, cfg.bulkFlags); err != nil {
		return err
	}
	for _, cached := range []bool{false, true} {
		b.progressf("OFREP: bulk, %d connections, If-None-Match %v ...", cfg.bulkConns, cached)
		reqs, err := bulkRequests(ctx, srv.APIAddr, bulkSubjects, cached)
		if err != nil {
			return err
		}
		status, what := http.StatusOK, fmt.Sprintf("OFREP bulk, %d flags -> 200, %d conns", cfg.bulkFlags, cfg.bulkConns)
		if cached {
			status, what = http.StatusNotModified, fmt.Sprintf("OFREP bulk, If-None-Match -> 304, %d conns", cfg.bulkConns)
		}
		r, err := load{addr: srv.APIAddr, reqs: reqs, status: status, conns: cfg.bulkConns, warmup: cfg.warmup, dur: cfg.dur, pid: srv.Proc.PID()}.run(ctx)
		if err != nil {
			return err
		}
		b.t.add(what, fmtLoad(r), "")
	}
	return nil
}

// measureChanges kills and enables flag key n times in turn and times how long a raw event-stream reader and
// an in-process flags/feed take to see each change.
func (b *bench) measureChanges(ctx context.Context, srv *server, key string, n int) error {
	if n == 0 {
		return nil
	}
	b.progressf("changes: %d of %s ...", n, key)
	var ct changeTimes
	err := flagsprocEnv(ctx, b.ws.Path("flagsproc"), time.Duration(n+2)*changeTimeout, &ct, []string{"SLIPWAY_TOKEN=" + srv.Token}, "changes",
		"-url", srv.URL, "-key", flagKey, "-flag", key, "-n", strconv.Itoa(n), "-timeout", changeTimeout.String())
	if err != nil {
		return err
	}
	count := thousands(float64(ct.Flags))
	b.t.add(fmt.Sprintf("change -> admin API answer, %s flags", count), fmtSpread(ct.API), "")
	b.t.add(fmt.Sprintf("change -> SSE data: line, %s flags", count), fmtSpread(ct.SSE), "")
	b.t.add(fmt.Sprintf("change -> flags/feed Changed(), %s flags", count), fmtSpread(ct.Feed), "")
	return nil
}
