package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// The step events that bound a good canary's analysis step (the second
// of three steps).
const (
	analysisStep = "step 2 of 3: analysis"
	afterStep    = "step 3 of 3"
)

// passSample is one measured good canary: how long its analysis step
// took to pass, and the requests that failed meanwhile.
type passSample struct {
	took         time.Duration // the analysis step's event to the next step's
	sent, failed int           // user requests from the apply to the pass
}

// measureGood measures one good canary judged by j on a fresh server:
// v1 deployed and served, steady user traffic, v2 (failing nothing)
// applied as a canary with an analysis step, until the step passes.
func measureGood(ctx context.Context, cfg config, j judge, ws *benchkit.Workspace, dir string) (s passSample, err error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	app, err := newAppDir(filepath.Join(dir, "app"), ws.Path("order"), j)
	if err != nil {
		return s, err
	}
	app.steps = goodSteps
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
	defer tr.Stop()
	if err := benchkit.Sleep(ctx, warmup); err != nil {
		return s, err
	}
	file, err := app.write("v2", 0)
	if err != nil {
		return s, err
	}
	seq, err := srv.lastSeq(ctx)
	if err != nil {
		return s, err
	}
	appliedAt := time.Now()
	if err := srv.apply(ctx, file, false); err != nil {
		return s, srv.Annotate(err)
	}
	s.took, err = waitStepPassed(ctx, srv, seq)
	for _, a := range tr.Stop() {
		if !a.sent.Before(appliedAt) {
			s.sent++
			if a.failed() {
				s.failed++
			}
		}
	}
	return s, srv.Annotate(err)
}

// waitStepPassed polls the events until the analysis step is over and
// returns how long it took, from its event to the next step's; a
// rollback is an error.
func waitStepPassed(ctx context.Context, srv *server, after int64) (time.Duration, error) {
	var took time.Duration
	_, err := benchkit.Poll(ctx, "the good canary's analysis step to pass", time.Until(deadline(ctx)), 100*time.Millisecond, func(ctx context.Context) (bool, string, error) {
		evs, err := srv.events(ctx, after)
		if err != nil {
			return false, err.Error(), nil
		}
		if back, ok := findEvent(evs, rolledBackEvent, ""); ok {
			return false, "", fmt.Errorf("the good canary was rolled back: %s", back.Message)
		}
		start, ok := findEvent(evs, stepEvent, analysisStep)
		end, done := findEvent(evs, stepEvent, afterStep)
		if !ok || !done {
			var seen []string
			for _, e := range evs {
				seen = append(seen, e.Message)
			}
			return false, strings.Join(seen, "; "), nil
		}
		took = end.Time.Sub(start.Time)
		return true, "", nil
	})
	return took, err
}

// printGood prints each judge's times to pass the analysis step, side by
// side.
func printGood(w io.Writer, cfg config, all map[judge][]passSample) {
	fmt.Fprintf(w, "\nTime to pass a good canary's analysis step (v2 fails nothing; %d runs per judge)\n", cfg.runs)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fmt.Fprintln(tw, "judge\truns\tmedian\tspread\tfailed / sent (median)")
	for _, j := range cfg.judges {
		ss := all[j]
		took := make([]float64, len(ss))
		failed, sent := make([]float64, len(ss)), make([]float64, len(ss))
		var runs []string
		for i, s := range ss {
			took[i], failed[i], sent[i] = float64(s.took), float64(s.failed), float64(s.sent)
			runs = append(runs, fmt.Sprintf("%.1f", s.took.Seconds()))
		}
		fmt.Fprintf(tw, "%s\t%s s\t%s\t%s\t%s / %s\n", j, strings.Join(runs, " "), secs(time.Duration(median(took))),
			spread(took), num(median(failed)), num(median(sent)))
	}
	tw.Flush()
	fmt.Fprintf(w, `
From the "%s" step event to the "%s" one. The interval judge passes after 3 passing
measurements, one per interval (%s); the sequential judge once its error rate is bounded
under the 1%% floor at level 1-beta (beta 0.2: no error in 193 canary requests).
`, analysisStep, afterStep, analysisInterval)
}
