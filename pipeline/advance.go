package pipeline

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/pipeline/testrun"
	"github.com/slipway-dev/slipway/store"
)

// Source is what a pass saw of the service in the environment a version
// is promoted from.
type Source struct {
	// Digest is the artifact its stable revision runs, Revision that
	// revision, Ready whether it is converged there and healthy.
	Digest   string
	Revision int
	Ready    bool
	// Since is when that revision became stable (its rollout succeeded).
	Since time.Time
	// Phase and Message say why it is not ready.
	Phase   string
	Message string
}

// Facts are what a pass observed outside the promotion record.
type Facts struct {
	// Source is nil for a deploy (a promotion with no From).
	Source *Source
	// Test is the finished run of the current tests gate, if any;
	// TestRunning is set while one runs in this server.
	Test        *testrun.Result
	TestRunning bool
}

// Action is what the controller must do after Advance.
type Action int

// Actions.
const (
	// Wait: nothing to do until a fact changes or After passes.
	Wait Action = iota
	// StartTests runs the current gate's test command.
	StartTests
	// Measure takes the current analysis gate's due measurements, then
	// calls Advance again.
	Measure
	// Deploy starts the target's rollout of the version: every gate
	// passed.
	Deploy
)

// maxTestAttempts bounds how often a test command interrupted by a
// server restart is run again.
const maxTestAttempts = 3

// Advance moves a waiting promotion through its gates, in order, and
// says what to do next and when to look again (0: when something
// happens). It is pure: the controller gathers Facts and carries out the
// Action. A failed gate fails the promotion: nothing is deployed.
func Advance(p *store.Promotion, f Facts, now time.Time) (Action, time.Duration) {
	if p.State != store.PromotionWaiting {
		return Wait, 0
	}
	for i := range p.Gates {
		g := &p.Gates[i]
		if g.State == store.GatePassed {
			continue
		}
		if g.StartedAt.IsZero() {
			g.StartedAt = now
		}
		act, after := Wait, time.Duration(0)
		if g.State != store.GateFailed { // failed already (a rejection): keep its reason
			act, after = gate(p, g, f, now)
		}
		switch g.State {
		case store.GateFailed:
			if g.EndedAt.IsZero() {
				g.EndedAt = now
			}
			p.State, p.FinishedAt = store.PromotionFailed, now
			p.Reason = fmt.Sprintf("gate %d (%s) failed: %s", i+1, g.Kind, g.Reason)
			return Wait, 0
		case store.GatePassed:
			if g.EndedAt.IsZero() {
				g.EndedAt = now
			}
			continue
		}
		p.Reason = g.Reason
		return act, after
	}
	p.GatesPassedAt, p.Reason = now, ""
	return Deploy, 0
}

// gate advances one gate that has not passed.
func gate(p *store.Promotion, g *store.Gate, f Facts, now time.Time) (Action, time.Duration) {
	d := g.Def
	switch {
	case d.Tests != nil:
		return tests(g, f)
	case d.Approval != nil:
		g.Reason = fmt.Sprintf("waiting for approval: slipway approve %s --env %s", p.Service, p.To)
		return Wait, 0
	case d.Bake != nil:
		return bake(p, g, f.Source, d.Bake.Duration, now)
	case d.Analysis != nil:
		return analyse(p, g, f.Source, now)
	}
	g.State, g.Reason = store.GateFailed, "the gate names no kind (tests, approval, bake, analysis)"
	return Wait, 0
}

func tests(g *store.Gate, f Facts) (Action, time.Duration) {
	switch {
	case f.Test != nil:
		g.Output, g.ExitCode = f.Test.Output, f.Test.ExitCode
		if f.Test.Passed {
			g.State, g.Reason = store.GatePassed, fmt.Sprintf("passed in %s", f.Test.Duration.Round(time.Millisecond))
		} else {
			g.State, g.Reason = store.GateFailed, f.Test.Reason
		}
		return Wait, 0
	case f.TestRunning:
		g.State, g.Reason = store.GateRunning, fmt.Sprintf("running %s (attempt %d)", g.Def.Tests.Run, g.Attempt)
		return Wait, 0
	case g.Attempt >= maxTestAttempts:
		g.State, g.Reason = store.GateFailed, fmt.Sprintf("the test command was interrupted %d times (server restarts)", g.Attempt)
		return Wait, 0
	}
	g.Attempt++
	g.State, g.Reason = store.GateRunning, fmt.Sprintf("running %s (attempt %d)", g.Def.Tests.Run, g.Attempt)
	return StartTests, 0
}

// bake passes once the version has stayed healthy in the source
// environment for the bake time; it fails if the source stops running
// it or turns unhealthy meanwhile.
func bake(p *store.Promotion, g *store.Gate, src *Source, want time.Duration, now time.Time) (Action, time.Duration) {
	if !sourceHealthy(p, g, src) {
		return Wait, 0
	}
	if src.Since.IsZero() {
		g.State, g.Reason = store.GatePending, "baking: waiting for the rollout in "+p.From+" to finish"
		return Wait, time.Second
	}
	left := src.Since.Add(want).Sub(now)
	if left <= 0 {
		g.State, g.Reason = store.GatePassed, fmt.Sprintf("healthy in %s for %s", p.From, now.Sub(src.Since).Round(time.Second))
		return Wait, 0
	}
	g.State, g.Reason = store.GatePending, fmt.Sprintf("baking in %s: %s left", p.From, left.Round(time.Second))
	return Wait, min(left, 5*time.Second)
}

// analyse judges an analysis gate's run; the controller measures it
// (Measure) when a measurement is due.
func analyse(p *store.Promotion, g *store.Gate, src *Source, now time.Time) (Action, time.Duration) {
	if !sourceHealthy(p, g, src) {
		return Wait, 0
	}
	run := g.Analysis
	if run == nil {
		g.State, g.Reason = store.GateRunning, "analysis starting in "+p.From
		return Measure, 0
	}
	switch run.Phase {
	case analysis.PhaseSuccessful:
		g.State, g.Reason = store.GatePassed, run.Reason
		return Wait, 0
	case analysis.PhaseFailed, analysis.PhaseInconclusive:
		g.State, g.Reason = store.GateFailed, run.Reason
		return Wait, 0
	}
	g.State, g.Reason = store.GateRunning, "analysis running in "+p.From
	if wait := run.NextAt.Sub(now); wait > 0 {
		return Wait, wait
	}
	return Measure, 0
}

// sourceHealthy fails g when the source environment no longer runs the
// version, or runs it unhealthy: a bake or an analysis measures it there.
func sourceHealthy(p *store.Promotion, g *store.Gate, src *Source) bool {
	switch {
	case src == nil:
		g.State, g.Reason = store.GateFailed, fmt.Sprintf("a %s gate measures the version where it comes from, and a deploy comes from nowhere: use it on an environment with `from`", g.Kind)
	case src.Digest != p.Digest:
		g.State, g.Reason = store.GateFailed, fmt.Sprintf("%s no longer runs version %s (a newer deploy or a rollback replaced it)", p.From, p.Version)
	case !src.Ready:
		g.State, g.Reason = store.GateFailed, fmt.Sprintf("%s in %s is %s: %s", p.Service, p.From, src.Phase, src.Message)
	default:
		return true
	}
	return false
}
