package cli

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/slipway-dev/slipway/api"
)

// verdictFailed is the Verdict of a parallel run whose comparison so far
// is above its limit (the others are "waiting" and "passed"); while the
// run goes on, more requests can still move it.
const verdictFailed = "failed"

// parallelInFlight reports whether s has a parallel run going on for its
// target revision: the one promote and abort act on.
func parallelInFlight(s api.Service) bool {
	p := s.ParallelRun
	return p != nil && p.Outcome == "" && p.Revision == s.Revision
}

// aboutTarget reports whether a canary or parallel run of revision rev
// against stable is about the rollout s stands on: in flight or
// promoted into its target, or rolled back to it. A run a later rollout
// replaced is history only.
func aboutTarget(s api.Service, rev, stable int, outcome string) bool {
	return rev == s.Revision || outcome == outcomeRolledBack && stable == s.Revision
}

// parallelIsLatest reports whether s's parallel run, rather than its
// canary, is its latest progressive rollout: the one about the target
// revision; if both are, the one in flight, else the one that ended
// last (a run without an end is still going).
func parallelIsLatest(s api.Service) bool {
	p, c := s.ParallelRun, s.Canary
	switch {
	case p == nil:
		return false
	case c == nil:
		return true
	}
	pAbout, cAbout := aboutTarget(s, p.Revision, p.Stable, p.Outcome), aboutTarget(s, c.Revision, c.Stable, c.Outcome)
	switch {
	case pAbout != cAbout:
		return pAbout
	case parallelInFlight(s):
		return true
	case inFlight(s):
		return false
	}
	return p.Ended.IsZero() || !c.Ended.IsZero() && p.Ended.After(c.Ended)
}

// currentParallelRun reports whether `rollout status` shows s's parallel
// run: its latest rollout, and about the revision s stands on.
func currentParallelRun(s api.Service) bool {
	p := s.ParallelRun
	return parallelIsLatest(s) && aboutTarget(s, p.Revision, p.Stable, p.Outcome)
}

// parallelName names a run: "the parallel run r3 of order".
func parallelName(service string, p *api.ParallelRun) string {
	return fmt.Sprintf("the parallel run r%d of %s", p.Revision, service)
}

// noParallelReason says why s has no parallel run in flight while its
// latest rollout was one.
func noParallelReason(s api.Service) string {
	p := s.ParallelRun
	switch p.Outcome {
	case outcomeRolledBack:
		return fmt.Sprintf("its parallel run of revision %d was rolled back (%s)", p.Revision, p.Reason)
	case outcomePromoted:
		return fmt.Sprintf("its parallel run of revision %d was promoted", p.Revision)
	}
	return fmt.Sprintf("its parallel run of revision %d was replaced: the service now targets revision %d (%s)",
		p.Revision, s.Revision, whatItDoes(s))
}

// mirroringText is what a run in flight does with the traffic: "100% of
// requests copied to r3 until T (4m0s left)", or what it waits for.
func mirroringText(p *api.ParallelRun, now time.Time) string {
	if p.Started.IsZero() {
		return fmt.Sprintf("not yet: waiting for revision %d's instances to be ready", p.Revision)
	}
	return fmt.Sprintf("%d%% of requests copied to r%d until %s (%s)", p.Percent, p.Revision, formatTime(p.Ends), timeLeft(p.Ends, now))
}

// timeLeft is how long until the run is judged: "4m0s left", or "due
// now" once its time is up (the server judges it at its next pass).
func timeLeft(ends, now time.Time) string {
	if !now.Before(ends) {
		return "due now"
	}
	return roundDuration(ends.Sub(now)).String() + " left"
}

// gateText is what the run must show to be promoted.
func gateText(p *api.ParallelRun) string {
	return fmt.Sprintf("at most %s of at least %d compared requests may differ beyond noise",
		ratePercent(p.MaxMismatchRate), p.MinRequests)
}

// comparedText is the comparison's counts: "240 compared, 1 differs
// beyond noise (0.42%); 3 dropped (too many copies in flight)".
func comparedText(r *api.MirrorReport) string {
	if r == nil {
		return "no requests compared yet"
	}
	s := fmt.Sprintf("%d compared, %d %s beyond noise (%s)", r.Compared, r.Mismatched, differ(r.Mismatched), ratePercent(r.MismatchRate))
	if r.Dropped > 0 {
		s += fmt.Sprintf("; %d dropped (too many copies in flight)", r.Dropped)
	}
	return s
}

func differ(n int) string {
	if n == 1 {
		return "differs"
	}
	return "differ"
}

// verdictSoFar is the comparison's verdict with its reason; a failure is
// not final while the run goes on (more requests move the rate).
func verdictSoFar(p *api.ParallelRun) string {
	if p.Verdict == "" {
		return "none yet: no requests compared"
	}
	return phaseText(p.Verdict, p.VerdictReason)
}

// outcomeText is how an ended run ended: "promoted: why".
func outcomeText(p *api.ParallelRun) string {
	switch p.Outcome {
	case outcomePromoted:
		return "promoted: " + p.Reason
	case outcomeRolledBack:
		return "rolled back: " + p.Reason
	}
	return ""
}

// fieldVerdict says whether a field's differences count against the
// candidate: "counts", "noise" (stable differs from itself as often),
// or "too rare" (stable never differs, but the candidate too seldom to
// count).
func fieldVerdict(f api.MirrorField) string {
	switch {
	case f.Mismatch:
		return "counts"
	case f.NoiseRate == 0 && f.Rate > 0:
		return "too rare"
	}
	return "noise"
}

// sampleText is one kept sample: "GET /orders/7 status: 200 -> 500".
func sampleText(x api.MirrorSample) string {
	return fmt.Sprintf("%s %s %s: %s -> %s", x.Method, x.Path, x.Field, sampleValue(x.Primary), sampleValue(x.Candidate))
}

// sampleValue writes a value on one line: quoted when it is empty or
// holds a newline or another control character (a plain-text body).
func sampleValue(v string) string {
	if v == "" || strings.ContainsFunc(v, unicode.IsControl) {
		return strconv.Quote(v)
	}
	return v
}

// byMismatch returns the report's routes, most mismatched first, each
// with its fields, the ones that count first, then the most differing:
// the order the server sends, kept whatever it sends. r is not changed.
func byMismatch(r *api.MirrorReport) []api.MirrorRoute {
	if r == nil {
		return nil
	}
	routes := slices.Clone(r.Routes)
	slices.SortStableFunc(routes, func(a, b api.MirrorRoute) int { return cmp.Compare(b.Mismatched, a.Mismatched) })
	for i := range routes {
		fields := slices.Clone(routes[i].Fields)
		slices.SortStableFunc(fields, func(a, b api.MirrorField) int {
			if a.Mismatch != b.Mismatch {
				return cmp.Compare(boolRank(b.Mismatch), boolRank(a.Mismatch))
			}
			return cmp.Compare(b.Differences, a.Differences)
		})
		routes[i].Fields = fields
	}
	return routes
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ratePercent writes a rate as the server's verdicts do: two decimals at
// most, 0.004166 is "0.42%", 0.125 is "12.5%".
func ratePercent(rate float64) string {
	s := strconv.FormatFloat(rate*100, 'f', 2, 64)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".") + "%"
}
