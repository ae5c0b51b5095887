package rollout

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// FlagPass is the outcome of AdvanceFlag. Next and Run are deep copies:
// they share no pointer, slice or map with AdvanceFlag's inputs.
type FlagPass struct {
	Next store.FlagRelease
	// Run is the current step's analysis after the pass (a copy of the
	// one given, a new one when a step began; nil without analysis).
	Run *store.AnalysisRun
	// Decision: CanaryWait (the release goes on), CanaryRollBack (the
	// variant goes back to 0%), CanaryPromote (every step done).
	Decision CanaryDecision
	Reason   string
	Events   []string
	Requeue  time.Duration
	// Served says the variant's share changed: the flags must be written.
	Served bool
}

// FlagSeen is what a pass observes besides the release itself.
type FlagSeen struct {
	// ServiceDone says the service that reads the flag has no rollout
	// in flight.
	ServiceDone bool
	// Killed says a person killed the flag: the release stops there
	// (raising a share nobody is served would judge nothing, and an
	// enable would then expose every step at once).
	Killed bool
}

// AdvanceFlag takes a progressive flag release as far as it can go at
// now. It is pure: it edits nothing reachable from r, p or run, and
// returns the next state as deep copies (FlagPass.Next, Run). run is
// the current step's analysis (nil before the first step, or without
// analysis).
func AdvanceFlag(r store.FlagRelease, p *spec.FlagProgressive, run *store.AnalysisRun, seen FlagSeen, now time.Time) FlagPass {
	// flagStep ends the run and appends it to Done: on copies, never on
	// run or r.Done's array.
	out := FlagPass{Next: *r.Clone(), Run: run.Clone()}
	n := &out.Next
	switch {
	case seen.Killed:
		out.Decision, out.Reason = CanaryRollBack, fmt.Sprintf("the flag was killed at %g%%: the release stops", n.Percent)
		return out
	case run != nil && run.Phase == analysis.PhaseFailed:
		out.Decision, out.Reason = CanaryRollBack, fmt.Sprintf("analysis at %g%% failed: %s", n.Percent, run.Reason)
		return out
	}
	if n.StepStarted.IsZero() && !seen.ServiceDone {
		out.Requeue = time.Second
		return out // the revision that reads the flag is not stable yet
	}
	for range len(p.Steps) + 1 {
		if !flagStep(&out, p, now) {
			break
		}
	}
	if out.Run != nil && !out.Run.Phase.Terminal() {
		out.requeueAt(out.Run.NextAt, now)
	}
	return out
}

// flagStep starts the current step, or ends it when its bake is over;
// it reports whether the release moved on (and may move again).
func flagStep(out *FlagPass, p *spec.FlagProgressive, now time.Time) bool {
	n := &out.Next
	if n.Step >= len(p.Steps) {
		out.Decision, out.Reason = CanaryPromote, fmt.Sprintf("every step passed: %s at %g%%", n.Variant, n.Percent)
		return false
	}
	st := p.Steps[n.Step]
	if n.StepStarted.IsZero() {
		n.StepStarted, n.Percent, out.Served = now, st.Percent, true
		if p.Analysis != nil {
			out.Run = NewRun(p.Analysis, nil, 0, n.Step, now)
		}
		out.Events = append(out.Events, fmt.Sprintf("step %d of %d: %s served to %g%% for %s", n.Step+1, len(p.Steps), n.Variant, st.Percent, st.Bake))
	}
	end := n.StepStarted.Add(st.Bake.Duration)
	if now.Before(end) {
		out.requeueAt(end, now)
		return false
	}
	if !judged(out.Run) {
		return false // not enough data is not a pass: wait (the analysis deadline fails it)
	}
	if out.Run != nil {
		out.Run.Ended = now
		n.Done = append(n.Done, out.Run)
		out.Run = nil
	}
	n.Step++
	n.StepStarted = time.Time{}
	return true
}

func (out *FlagPass) requeueAt(t, now time.Time) {
	if d := max(t.Sub(now), time.Millisecond); out.Requeue == 0 || d < out.Requeue {
		out.Requeue = d
	}
}

// judged reports whether a step's analysis (if any) has judged every
// metric at least once and is still running: a step without a verdict
// on each metric, or an inconclusive one, does not pass.
func judged(run *store.AnalysisRun) bool {
	if run == nil {
		return true
	}
	if run.Phase != analysis.PhaseRunning && run.Phase != analysis.PhaseSuccessful {
		return false
	}
	for _, m := range run.Metrics {
		if m.Tally.Passes == 0 {
			return false
		}
	}
	return true
}
