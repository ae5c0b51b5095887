package cli

import (
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// parallelWatch is what `rollout watch` remembers of the parallel run it
// follows, so that each poll prints only what changed. It does no I/O.
type parallelWatch struct {
	service  string
	revision int // the run followed
	looked   bool
	// mirroring is when the run's mirroring began, as last seen.
	mirroring time.Time
	// compared and mismatched are the counts last printed (-1: none yet).
	compared, mismatched int
	verdict              string
	// counting holds the fields already reported to count against the
	// candidate, by route and field.
	counting map[[2]string]bool
}

// newParallelWatch follows the parallel run in flight of s.
func newParallelWatch(s api.Service) *parallelWatch {
	return &parallelWatch{service: s.Name, revision: s.ParallelRun.Revision, compared: -1, mismatched: -1,
		counting: map[[2]string]bool{}}
}

// observe implements rolloutWatch.
func (w *parallelWatch) observe(s api.Service, now time.Time) ([]watchLine, bool, error) {
	p := s.ParallelRun
	if p == nil || p.Revision != w.revision {
		return nil, true, w.replaced(s)
	}
	var lines []watchLine
	if !w.looked {
		lines = append(lines, watchLine{now, fmt.Sprintf(
			"watching the parallel run r%d of %s (stable r%d); Ctrl-C stops the watch, not the run", p.Revision, w.service, p.Stable)})
	}
	lines = append(lines, w.observeMirroring(p, now)...)
	lines = append(lines, w.observeReport(p, now)...)
	w.looked = true
	return w.end(p, lines, now)
}

// observeMirroring says when the run waits for its candidate, starts
// mirroring, or starts again (its counts lost with a server restart).
func (w *parallelWatch) observeMirroring(p *api.ParallelRun, now time.Time) []watchLine {
	if p.Started.Equal(w.mirroring) {
		if !w.looked && p.Started.IsZero() && p.Outcome == "" {
			return []watchLine{{now, fmt.Sprintf("waiting for revision %d's instances to be ready", p.Revision)}}
		}
		return nil
	}
	again := !w.mirroring.IsZero()
	w.mirroring = p.Started
	if p.Started.IsZero() {
		return nil
	}
	line := fmt.Sprintf("mirroring %d%% of requests to r%d until %s, comparing its answers with r%d's; %s",
		p.Percent, p.Revision, formatTime(p.Ends), p.Stable, gateText(p))
	if again {
		line = "the comparison starts again (its counts were lost with a restart of the server): " + line
		w.compared, w.mismatched = -1, -1
	}
	return []watchLine{{p.Started, line}}
}

// observeReport returns the lines for what is new in the comparison:
// its counts, the verdict so far, and each field that starts to count
// against the candidate.
func (w *parallelWatch) observeReport(p *api.ParallelRun, now time.Time) []watchLine {
	r := p.Report
	if r == nil {
		return nil
	}
	at := now // the final report is as of the run's end
	if p.Outcome != "" {
		at = orNow(p.Ended, now)
	}
	var lines []watchLine
	if r.Compared != w.compared || r.Mismatched != w.mismatched {
		w.compared, w.mismatched = r.Compared, r.Mismatched
		lines = append(lines, watchLine{at, comparedText(r)})
	}
	for _, route := range byMismatch(r) {
		for _, f := range route.Fields {
			key := [2]string{route.Route, f.Field}
			if f.Mismatch && !w.counting[key] {
				w.counting[key] = true
				lines = append(lines, watchLine{at, fmt.Sprintf("%s %s counts against r%d: it differs in %s of requests, stable from itself in %s",
					route.Route, f.Field, p.Revision, ratePercent(f.Rate), ratePercent(f.NoiseRate))})
			}
		}
	}
	if p.Verdict != w.verdict && p.Outcome == "" {
		lines = append(lines, watchLine{at, "verdict so far: " + verdictSoFar(p)})
	}
	w.verdict = p.Verdict
	return lines
}

// end adds the last line of a run that ended, and judges it.
func (w *parallelWatch) end(p *api.ParallelRun, lines []watchLine, now time.Time) ([]watchLine, bool, error) {
	at := orNow(p.Ended, now)
	switch p.Outcome {
	case outcomePromoted:
		return append(lines, watchLine{at, "promoted: " + p.Reason}), true, nil
	case outcomeRolledBack:
		lines = append(lines, watchLine{at, "rolled back: " + p.Reason})
		return lines, true, fmt.Errorf("%s was rolled back: %s; see \"slipway rollout explain %s\"",
			parallelName(w.service, p), p.Reason, w.service)
	}
	return lines, false, nil
}

// replaced explains a run that is gone from the service's view.
func (w *parallelWatch) replaced(s api.Service) error {
	return fmt.Errorf("the parallel run r%d of %s is no longer in view: the service now targets revision %d (%s); see \"slipway rollout status %s\"",
		w.revision, w.service, s.Revision, whatItDoes(s), w.service)
}
