package rollout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/stack"
	"github.com/slipway-dev/slipway/store"
)

// ReconcileFlag takes a flag's progressive release one step: it waits
// for the service that reads the flag to finish its rollout, measures
// the step's analysis when due (against that service's stable
// revision), and raises the share, flips the flag back, or ends the
// release. A step's analysis lives in memory until the step ends (it is
// then stored with the release): a restarted server measures the
// current step afresh, its bake time going on.
func (c *Controller) ReconcileFlag(ctx context.Context, key string) (time.Duration, error) {
	var cfg store.FlagConfig
	var svc store.Service
	var svcErr error
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if cfg, err = tx.GetFlagConfig(); err != nil {
			return err
		}
		if r := cfg.Releases[key]; r != nil {
			svc, svcErr = tx.GetService(r.Service)
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read flags: %w", err)
	}
	r, f := cfg.Releases[key], cfg.Flags[key]
	if !r.InFlight() || f == nil || f.Progressive == nil {
		c.forgetFlagRun(key)
		return 0, nil
	}
	now := c.cfg.Clock.Now()
	p := f.Progressive
	seen := *r
	run := c.flagRun(key, r, now)
	obs := FlagSeen{ServiceDone: svcErr == nil && svc.Phase == store.PhaseReady && svc.Stable == svc.Revision,
		Killed: cfg.Overrides[key].Killed}
	if p.Analysis != nil && run != nil && !obs.Killed {
		c.measureRun(ctx, run, p.Analysis, analysis.Query{Service: r.Service, Canary: svc.Stable}, 0, now)
	}
	pass := AdvanceFlag(*r, p, run, obs, now)
	err = c.recordFlag(ctx, key, seen, cfg.Revision, pass, now)
	if errors.Is(err, errStale) {
		return time.Millisecond, nil // look again at once, at the release as it is now
	}
	return pass.Requeue, err
}

// flagRun is a flag release's current step's analysis, kept in memory
// between the writes of the release.
type flagRun struct {
	// release is when the release started: a release that replaced it
	// (an apply changed the flag) starts its own analysis.
	release time.Time
	run     *store.AnalysisRun
}

// flagRun returns the current step's analysis of release r, restarting
// it after a restart of the server. A run kept for another release, or
// for another step (a write that was lost), is dropped.
func (c *Controller) flagRun(key string, r *store.FlagRelease, now time.Time) *store.AnalysisRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.flagRuns[key]
	if kept.run != nil && kept.release.Equal(r.Started) && kept.run.Step == r.Step {
		return kept.run
	}
	delete(c.flagRuns, key)
	if r.Analysis == nil || r.StepStarted.IsZero() || r.Analysis.Step != r.Step {
		return nil
	}
	run := r.Analysis.Clone() // measured in place from now on: not the release read
	run.Restart(now)
	c.flagRuns[key] = flagRun{release: r.Started, run: run}
	return run
}

func (c *Controller) forgetFlagRun(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.flagRuns, key)
}

// recordFlag writes what the pass decided: a new share, the end of the
// release, or nothing (the analysis goes on in memory). seen is the
// release as the pass read it, in the flag configuration of revision
// base: when the flags changed since (an apply replaced the release, a
// person killed the flag), nothing is written and errStale is returned;
// the next pass reads them afresh (the step's analysis in memory is kept
// while the release and its step are the same: flagRun).
func (c *Controller) recordFlag(ctx context.Context, key string, seen store.FlagRelease, base int, pass FlagPass, now time.Time) error {
	c.mu.Lock()
	c.flagRuns[key] = flagRun{release: seen.Started, run: pass.Run}
	c.mu.Unlock()
	next := pass.Next
	next.Analysis = pass.Run
	typ, reason := store.EventFlagReleaseStep, ""
	switch pass.Decision {
	case CanaryRollBack:
		next.Outcome, next.Reason, next.Ended, next.Percent = store.CanaryRolledBack, pass.Reason, now, 0
		typ, reason = store.EventFlagReleaseRolledBack, "release rolled back, "+next.Variant+" back to 0%: "+pass.Reason
	case CanaryPromote:
		next.Outcome, next.Reason, next.Ended = store.CanaryPromoted, pass.Reason, now
		typ, reason = store.EventFlagReleasePromoted, "release done: "+pass.Reason
	default:
		if !pass.Served {
			return nil
		}
		reason = fmt.Sprintf("release step %d: %s", next.Step+1, pass.Events[len(pass.Events)-1])
	}
	if next.Outcome != "" {
		c.forgetFlagRun(key)
		if next.Analysis != nil && next.Analysis.Ended.IsZero() {
			next.Analysis.Ended = now
		}
	}
	err := c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetFlagConfig()
		if err != nil {
			return err
		}
		if cur.Revision != base {
			return errStale
		}
		return stack.SaveRelease(tx, key, next, typ, reason, now)
	})
	if err != nil && !errors.Is(err, errStale) {
		c.forgetFlagRun(key)
	}
	return err
}
