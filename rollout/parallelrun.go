package rollout

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// ParallelDecision is what one pass over a parallel run concludes.
type ParallelDecision int

// Parallel run decisions.
const (
	// ParallelWait: the run goes on (its state may have changed).
	ParallelWait ParallelDecision = iota
	// ParallelStart: the candidate is ready: open its comparison and
	// start mirroring (Next says until when).
	ParallelStart
	// ParallelRollBack: the comparison failed, gathered too few
	// requests, or a person aborted: the candidate is rejected (users
	// never left stable).
	ParallelRollBack
	// ParallelPromote: the comparison passed: the candidate takes all
	// traffic.
	ParallelPromote
)

// ParallelPass is the outcome of DecideParallel.
type ParallelPass struct {
	// Next is the run's next state, a deep copy: it shares no pointer or
	// slice with DecideParallel's inputs (p, rep).
	Next     store.ParallelRun
	Decision ParallelDecision
	Reason   string
	Event    string
	Requeue  time.Duration
}

// refreshEvery is how often a running parallel run's stored report is
// brought up to date (when it changed).
const refreshEvery = 2 * time.Second

// DecideParallel takes a parallel run one step at now. It is pure: it
// edits nothing reachable from p or rep, and Next shares nothing with
// them. ready says the candidate runs all its instances; rep is its
// comparison so far, counting false when none is open (not started yet,
// or lost with a restart of the server: the run then starts again).
func DecideParallel(p store.ParallelRun, pr *spec.ParallelRun, ready bool, rep mirror.Report, counting bool, now time.Time) ParallelPass {
	out := ParallelPass{Next: *p.Clone()}
	n := &out.Next
	switch {
	case n.Abort != "":
		out.Decision, out.Reason = ParallelRollBack, "aborted: "+n.Abort
		return out
	case n.Started.IsZero() && !ready:
		return out
	case n.Started.IsZero() || !counting:
		out.Event = fmt.Sprintf("mirroring %d%% of requests to revision %d for %s, comparing its answers with revision %d's",
			pr.Percent(), n.Revision, pr.Duration, n.Stable)
		if !n.Started.IsZero() {
			out.Event = "the comparison's counts were lost with a restart of the server: " + out.Event + ", from now"
		}
		n.Started, n.Ends, n.Report, n.Verdict = now, now.Add(pr.Duration.Duration), nil, mirror.Verdict{}
		out.Decision, out.Requeue = ParallelStart, refreshEvery
		return out
	}
	report := rep.Clone() // rep's routes are the caller's
	n.Report, n.Verdict = &report, rep.Judge(pr.MaxMismatchRate, pr.MinRequests)
	if now.Before(n.Ends) && !n.Promote {
		out.Requeue = min(refreshEvery, n.Ends.Sub(now))
		return out
	}
	return judgeParallel(out, now)
}

// judgeParallel ends a run whose time is up (or that a person asked to
// judge now): a pass promotes, a failure or too few comparisons roll
// back. Promote asked early on a run still waiting for requests is
// dropped: the run goes on to its end.
func judgeParallel(out ParallelPass, now time.Time) ParallelPass {
	n := &out.Next
	v := n.Verdict
	switch {
	case v.Outcome == mirror.Passed:
		out.Decision, out.Reason = ParallelPromote, "answers match: "+v.Reason
	case v.Outcome == mirror.Failed:
		out.Decision, out.Reason = ParallelRollBack, "answers differ: "+v.Reason
	case now.Before(n.Ends): // promote asked while waiting
		n.Promote = false
		out.Event = "promote asked, but too few requests compared to judge yet (" + v.Reason + "); the run goes on"
		out.Requeue = refreshEvery
	default:
		out.Decision, out.Reason = ParallelRollBack, "too few requests compared: "+v.Reason+": not enough data is not a pass"
	}
	return out
}
