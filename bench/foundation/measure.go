package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
)

// results are every measurement taken.
type results struct {
	slipway []sample    // one per run, fresh server each
	floor   []sample    // one per run, bare exec
	idle    *idleResult // nil when skipped
}

// measureAll runs cfg.runs deploys, each a fresh Slipway server next to a
// bare-exec floor, then the idle measure, reporting progress as it goes.
func measureAll(ctx context.Context, cfg config, ws *benchkit.Workspace, progress io.Writer) (results, error) {
	var res results
	bin := ws.Path("slipway")
	for i := 1; i <= cfg.runs; i++ {
		s, err := deployFresh(ctx, bin, ws.Path("run-"+strconv.Itoa(i)), cfg.instances, cfg.readyTimeout)
		if err != nil {
			return res, fmt.Errorf("run %d, slipway: %w", i, err)
		}
		f, err := deployBare(ctx, bin, cfg.instances, cfg.readyTimeout)
		if err != nil {
			return res, fmt.Errorf("run %d, floor: %w", i, err)
		}
		res.slipway, res.floor = append(res.slipway, s), append(res.floor, f)
		fmt.Fprintf(progress, "run %d/%d: slipway %s (ready - last start %s), floor %s (%s)\n",
			i, cfg.runs, secs(s.wall), secs(s.lag), secs(f.wall), secs(f.lag))
	}
	if cfg.idleInstances == 0 {
		return res, nil
	}
	fmt.Fprintf(progress, "idle: %d instances, settle %s, CPU over %s ...\n", cfg.idleInstances, cfg.idleSettle, cfg.idleCPU)
	idle, err := measureIdle(ctx, bin, ws.Path("idle"), cfg)
	if err != nil {
		return res, fmt.Errorf("idle: %w", err)
	}
	res.idle = &idle
	return res, nil
}
