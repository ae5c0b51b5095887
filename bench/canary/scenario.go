package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/store"
)

// Event types and the step message the measure is taken between (the
// API sends an event's type as its string).
const (
	stepEvent       = string(store.EventCanaryStep)
	rolledBackEvent = string(store.EventCanaryRolledBack)
	promotedEvent   = string(store.EventCanaryPromoted)
)

// The phases of a run around the measured canary.
const (
	warmup = time.Second     // steady v1 traffic before the canary is applied
	tail   = 2 * time.Second // traffic kept after the rollback, to see it hold
	settle = time.Second     // after the rollback, the router must be all on v1 by then
)

// measureRun measures one bad canary judged by j on a fresh server: v1 deployed and
// served, steady user traffic, v2 (failing failRate of its requests)
// applied as a canary, until its analysis rolls it back and a tail after.
// The whole run is bounded by cfg.runTimeout; the server and its
// instances are stopped before it returns.
func measureRun(ctx context.Context, cfg config, j judge, ws *benchkit.Workspace, dir string) (s sample, err error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	app, err := newAppDir(filepath.Join(dir, "app"), ws.Path("order"), j)
	if err != nil {
		return s, err
	}
	srv, err := startServer(ctx, ws.Path("slipway"), filepath.Join(dir, "data"))
	if err != nil {
		return s, err
	}
	defer func() { err = errors.Join(err, srv.Close()) }()
	if err := deployStable(ctx, srv, app); err != nil {
		return s, srv.Annotate(err)
	}
	tr := newTraffic(srv.routerURL, routeHost, cfg.rate)
	tr.Start(ctx)
	defer tr.Stop() // on every error path; the answers are taken below
	applied, err := releaseBadCanary(ctx, srv, app)
	if err != nil {
		return s, srv.Annotate(err)
	}
	answers := tr.Stop()
	evs, err := srv.events(ctx, applied.seq)
	if err != nil {
		return s, err
	}
	s, err = newSample(evs, answers, applied.at, cfg.rate)
	if err == nil {
		err = checkBackOnStable(ctx, srv)
	}
	return s, srv.Annotate(err)
}

// deployStable applies v1, waits for it, and waits until the router
// serves it.
func deployStable(ctx context.Context, srv *server, app appDir) error {
	file, err := app.write("v1", 0)
	if err != nil {
		return err
	}
	if err := srv.apply(ctx, file, true); err != nil {
		return err
	}
	return waitServes(ctx, srv.routerURL, "v1")
}

// applied is when the canary was applied: the time, and the last event
// before it.
type applied struct {
	at  time.Time
	seq int64
}

// releaseBadCanary lets v1 take steady traffic for warmup, applies v2
// with failRate (without --wait), waits for the rollback event and keeps
// the traffic going for tail.
func releaseBadCanary(ctx context.Context, srv *server, app appDir) (applied, error) {
	var a applied
	if err := benchkit.Sleep(ctx, warmup); err != nil {
		return a, err
	}
	file, err := app.write("v2", failRate)
	if err != nil {
		return a, err
	}
	if a.seq, err = srv.lastSeq(ctx); err != nil {
		return a, err
	}
	a.at = time.Now()
	if err := srv.apply(ctx, file, false); err != nil {
		return a, err
	}
	if err := waitRolledBack(ctx, srv, a.seq); err != nil {
		return a, err
	}
	return a, benchkit.Sleep(ctx, tail)
}

// waitRolledBack polls the events until the canary is rolled back, for
// as long as the run may last; a promotion is an error.
func waitRolledBack(ctx context.Context, srv *server, after int64) error {
	bound := time.Until(deadline(ctx))
	_, err := benchkit.Poll(ctx, "the bad canary rolled back", bound, 50*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		evs, err := srv.events(ctx, after)
		if err != nil {
			return false, err.Error(), nil
		}
		var seen []string
		for _, e := range evs {
			switch e.Type {
			case rolledBackEvent:
				return true, "", nil
			case promotedEvent:
				return false, "", fmt.Errorf("the bad canary was promoted: %s", e.Message)
			}
			seen = append(seen, e.Message)
		}
		return false, strings.Join(seen, "; "), nil
	})
	return err
}

// deadline is ctx's deadline, or a minute from now if it has none.
func deadline(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(time.Minute)
}

// checkBackOnStable checks the server's view after the rollback: all
// traffic on revision 1, the canary recorded as rolled back.
func checkBackOnStable(ctx context.Context, srv *server) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	svc, err := srv.Client.Service(ctx, service)
	if err != nil {
		return fmt.Errorf("read service after the rollback: %w", err)
	}
	c, t := svc.Canary, svc.Traffic
	if c == nil || c.Outcome != "RolledBack" || t == nil || t.Active != 1 || t.Weight != 0 {
		return fmt.Errorf("after the rollback: canary %+v, traffic %+v: want rolled back, all on revision 1", c, t)
	}
	return nil
}

// waitServes waits until 30 requests in a row through the router are all
// answered 200 by version.
func waitServes(ctx context.Context, routerURL, version string) error {
	tr := newTraffic(routerURL, routeHost, 1) // not started: its client, one request at a time
	defer tr.hc.CloseIdleConnections()
	_, err := benchkit.Poll(ctx, "the router to serve only "+version, 15*time.Second, 100*time.Millisecond, func(context.Context) (bool, string, error) {
		for i := range 30 {
			a := tr.send()
			if a.status != http.StatusOK || a.version != version {
				return false, fmt.Sprintf("answer %d: status %d, version %q", i+1, a.status, a.version), nil
			}
		}
		return true, "", nil
	})
	return err
}

// findEvent returns the first event of type typ whose message contains
// text.
func findEvent(evs []api.Event, typ, text string) (api.Event, bool) {
	for _, e := range evs {
		if e.Type == typ && strings.Contains(e.Message, text) {
			return e, true
		}
	}
	return api.Event{}, false
}
