package rollout

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// CanaryDecision is what one pass of a canary's step machine concludes.
type CanaryDecision int

// Canary decisions.
const (
	// CanaryWait: the canary goes on (its state may have changed).
	CanaryWait CanaryDecision = iota
	// CanaryRollBack: an analysis failed or a person aborted: all traffic
	// goes back to stable at once and the candidate is rejected.
	CanaryRollBack
	// CanaryPromote: every step is done and the candidate runs at full
	// scale: it takes all the traffic and becomes stable.
	CanaryPromote
)

// String names the decision in messages and test failures.
func (d CanaryDecision) String() string {
	switch d {
	case CanaryRollBack:
		return "roll back"
	case CanaryPromote:
		return "promote"
	}
	return "wait"
}

// CanaryPass is the outcome of Advance.
type CanaryPass struct {
	// Next is the canary's next state, a deep copy of Advance's input
	// with the pass's changes: it shares no pointer, slice or map with
	// the input, so the caller may edit either.
	Next     store.Canary
	Decision CanaryDecision
	// Reason explains a roll back or a promotion.
	Reason string
	// Events say what happened in this pass, in order.
	Events []string
	// Requeue is when the machine wants to look again even if nothing
	// is observed to change (a timed pause ends, a measurement is due).
	Requeue time.Duration
}

func (p *CanaryPass) event(format string, args ...any) {
	p.Events = append(p.Events, fmt.Sprintf(format, args...))
}

func (p *CanaryPass) requeueAt(t, now time.Time) {
	if d := max(t.Sub(now), time.Millisecond); p.Requeue == 0 || d < p.Requeue {
		p.Requeue = d
	}
}

// CanaryReplicas is how many instances the candidate runs at weight w
// of a service of replicas instances: its share, rounded up, at least
// one (testers reach it by header at weight 0).
func CanaryReplicas(w, replicas int) int {
	return max(1, (replicas*w+99)/100)
}

// EffectiveWeight is the share of requests (percent) a canary at weight
// w gets on a platform that splits traffic by replicas (Kubernetes with
// traffic: replicas): canary of canary+stable ready pods behind one
// Service, as kube-proxy spreads connections evenly over its endpoints.
// Its accuracy is one pod: with 4 stable pods, a weight of 10 runs 1
// canary pod and gets 20 (1 of 5), 50 runs 2 and gets 33; a weight of 0
// or 100 is exact (the Service then selects one revision). Connections,
// not requests, are spread, so long-lived clients skew it further.
func EffectiveWeight(w, canary, stable int) int {
	switch {
	case w <= 0 || canary <= 0:
		return 0
	case w >= 100 || stable <= 0:
		return 100
	}
	return (200*canary + canary + stable) / (2 * (canary + stable)) // 100*canary/(canary+stable), rounded
}

// Advance takes a canary's step machine as far as it can go at now. It
// is pure: it edits nothing reachable from c or sc (the analysis runs c
// points to included) and returns the next state as a deep copy
// (CanaryPass.Next), so any caller may pass a record it shares. avail
// is how many instances of the candidate are ready; replicas is the
// service's full count.
//
// Order of precedence: an abort or a failed analysis rolls back; an
// inconclusive analysis pauses; promote --full skips every step; a
// pause stops the steps; otherwise each step runs in turn: setWeight
// waits for the candidate's instances at the new weight, a timed pause
// for its duration, an untimed one for promote, an analysis step for
// its verdict, setHeaderRoute for nothing. After the last step the
// candidate scales to full and is promoted.
func Advance(c store.Canary, sc *spec.Canary, avail, replicas int, now time.Time) CanaryPass {
	p := CanaryPass{Next: *c.Clone()} // endStep ends the step's run: never c's
	n := &p.Next
	if why := rollBackReason(n); why != "" {
		p.Decision, p.Reason = CanaryRollBack, why
		return p
	}
	pauseIfInconclusive(&p)
	if !n.Full && !n.Paused {
		runSteps(&p, sc, avail, replicas, now)
	}
	if n.Full { // the weight stays until the candidate can take it all
		if avail >= replicas {
			p.Decision, p.Reason = CanaryPromote, promoteReason(n, len(sc.Steps))
		}
	}
	startBackground(&p, sc, now)
	for _, run := range []*store.AnalysisRun{n.Analysis, n.StepAnalysis} {
		if run != nil && !over(run) {
			p.requeueAt(run.NextAt, now)
		}
	}
	return p
}

// rollBackReason says why the canary must roll back, or "".
func rollBackReason(n *store.Canary) string {
	switch {
	case n.Abort != "":
		return "aborted: " + n.Abort
	case n.Analysis != nil && n.Analysis.Phase == analysis.PhaseFailed:
		return "analysis failed: " + n.Analysis.Reason
	case n.StepAnalysis != nil && n.StepAnalysis.Phase == analysis.PhaseFailed:
		return fmt.Sprintf("analysis step %d failed: %s", n.StepAnalysis.Step+1, n.StepAnalysis.Reason)
	}
	return ""
}

// pauseIfInconclusive pauses the steps for a person when an analysis
// could not decide: neither promote nor roll back on a guess.
func pauseIfInconclusive(p *CanaryPass) {
	n := &p.Next
	for _, run := range []*store.AnalysisRun{n.Analysis, n.StepAnalysis} {
		if run == nil || run.Phase != analysis.PhaseInconclusive || n.Paused {
			continue
		}
		n.Paused, n.PauseReason = true, "analysis inconclusive: "+run.Reason
		p.event("paused: %s; promote, resume (measures again) or abort", n.PauseReason)
	}
}

func promoteReason(n *store.Canary, steps int) string {
	if n.Step < steps {
		return fmt.Sprintf("promoted in full at step %d of %d", n.Step+1, steps)
	}
	if n.Analysis != nil {
		return fmt.Sprintf("every step passed; analysis: %s", summary(n.Analysis))
	}
	return "every step passed"
}

// summary is an analysis run in a few words: "3 metrics, 12 measurements passed".
func summary(run *store.AnalysisRun) string {
	passed := 0
	for _, m := range run.Metrics {
		passed += m.Tally.Passes
	}
	return fmt.Sprintf("%d metrics, %d measurements passed", len(run.Metrics), passed)
}

// runSteps runs steps until one has to wait.
func runSteps(p *CanaryPass, sc *spec.Canary, avail, replicas int, now time.Time) {
	n := &p.Next
	for range len(sc.Steps) + 1 {
		if n.Step >= len(sc.Steps) {
			n.Full = true
			p.event("every step done: scaling revision %d to %d instances to take all traffic", n.Revision, replicas)
			return
		}
		st := sc.Steps[n.Step]
		if n.StepStarted.IsZero() {
			if avail < CanaryReplicas(n.Weight, replicas) {
				return // the candidate is not ready at its current weight
			}
			startStep(p, st, sc, now)
		}
		done := n.Skip || stepDone(p, st, avail, replicas, now)
		if !done {
			return
		}
		if n.Skip {
			p.event("step %d (%s) ended by promote", n.Step+1, describeStep(st))
		}
		endStep(n, now)
	}
}

// startStep begins the current step and applies what it sets at once.
func startStep(p *CanaryPass, st spec.Step, sc *spec.Canary, now time.Time) {
	n := &p.Next
	n.StepStarted = now
	switch {
	case st.SetWeight != nil:
		n.Weight = *st.SetWeight
	case st.SetHeaderRoute != nil:
		n.Header, n.Value = st.SetHeaderRoute.Header, st.SetHeaderRoute.Value
	case st.Analysis != nil:
		n.StepAnalysis = NewRun(sc.Analysis, st.Analysis.Metrics, st.Analysis.Count, n.Step, now)
	}
	p.event("step %d of %d: %s", n.Step+1, len(sc.Steps), describeStep(st))
}

// stepDone reports whether the current, started step is over.
func stepDone(p *CanaryPass, st spec.Step, avail, replicas int, now time.Time) bool {
	n := &p.Next
	switch {
	case st.SetWeight != nil:
		return avail >= CanaryReplicas(n.Weight, replicas)
	case st.Pause != nil && st.Pause.UntilPromoted():
		return false
	case st.Pause != nil:
		end := n.StepStarted.Add(st.Pause.Duration.Duration)
		if now.Before(end) {
			p.requeueAt(end, now)
			return false
		}
		return true
	case st.Analysis != nil:
		return n.StepAnalysis != nil && n.StepAnalysis.Phase == analysis.PhaseSuccessful
	}
	return true // setHeaderRoute
}

// endStep moves to the next step; a finished analysis step's run is
// kept as the last one for explanation until the next analysis step.
// n is the pass's own copy (Advance): its run may be edited.
func endStep(n *store.Canary, now time.Time) {
	if r := n.StepAnalysis; r != nil && r.Ended.IsZero() {
		r.Ended = now
	}
	n.Step++
	n.StepStarted, n.Skip = time.Time{}, false
}

// startBackground starts the whole-rollout analysis once the candidate
// takes a share of user traffic. A header route alone does not start it:
// testers' requests may be too few to judge, and no data would fail it.
func startBackground(p *CanaryPass, sc *spec.Canary, now time.Time) {
	n := &p.Next
	if sc.Analysis == nil || n.Analysis != nil || n.Weight == 0 {
		return
	}
	n.Analysis = NewRun(sc.Analysis, nil, 0, -1, now)
	p.event("analysis started: %d metrics every %s", len(n.Analysis.Metrics), sc.Analysis.Interval)
}

// describeStep says what a step does: "setWeight 10", "pause 30s".
func describeStep(st spec.Step) string {
	switch {
	case st.SetWeight != nil:
		return fmt.Sprintf("setWeight %d", *st.SetWeight)
	case st.Pause != nil:
		return "pause " + st.Pause.String()
	case st.Analysis != nil:
		return fmt.Sprintf("analysis (%d passing measurements per metric)", st.Analysis.Count)
	case st.SetHeaderRoute != nil:
		h := st.SetHeaderRoute
		if h.Value == "" {
			return "setHeaderRoute " + h.Header
		}
		return fmt.Sprintf("setHeaderRoute %s: %s", h.Header, h.Value)
	}
	return "?"
}
