package cli

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// canaryWatch is what `rollout watch` remembers of the canary it
// follows, so that each poll prints only what changed. It does no I/O:
// the caller polls the service and prints the lines observe returns.
type canaryWatch struct {
	service  string
	revision int // the canary followed
	started  bool
	// state is the last step/traffic line printed.
	state string
	// runs is what was seen of each analysis run, by runName.
	runs map[string]seenRun
}

// seenRun is what was seen of one analysis run.
type seenRun struct {
	started time.Time
	phase   string
	taken   map[string]int // measurements taken, by metric
}

// watchLine is one line `rollout watch` prints: when, and what.
type watchLine struct {
	at   time.Time
	text string
}

// String writes the line as printed: the time first.
func (l watchLine) String() string { return formatTime(l.at) + "  " + l.text }

// newCanaryWatch follows the canary in flight of s.
func newCanaryWatch(s api.Service) *canaryWatch {
	return &canaryWatch{service: s.Name, revision: s.Canary.Revision, runs: map[string]seenRun{}}
}

// observe compares the service as polled at now with what was seen
// before, and returns the lines to print in time order. done is true
// once the canary ended: err is nil when it was promoted, and says why
// otherwise (rolled back, or replaced by another rollout).
func (w *canaryWatch) observe(s api.Service, now time.Time) (lines []watchLine, done bool, err error) {
	c := s.Canary
	if c == nil || c.Revision != w.revision {
		return nil, true, w.replaced(s)
	}
	var rs []reading
	var phases []watchLine
	for _, r := range []*api.AnalysisRun{c.Analysis, c.StepAnalysis} {
		if r != nil {
			more, phase := w.observeRun(r, now)
			rs, phases = append(rs, more...), append(phases, phase...)
		}
	}
	lines = append(readingLines(rs), phases...)
	if st := w.stateLine(c); c.Outcome == "" && st != w.state {
		w.state = st
		lines = append(lines, watchLine{now, st})
	}
	slices.SortStableFunc(lines, func(a, b watchLine) int { return a.at.Compare(b.at) })
	if !w.started {
		w.started = true
		lines = slices.Insert(lines, 0, watchLine{now, fmt.Sprintf(
			"watching the canary r%d of %s (stable r%d); Ctrl-C stops the watch, not the canary", c.Revision, w.service, c.Stable)})
	}
	return w.end(c, lines, now)
}

// end adds the last line of a canary that ended, and judges it.
func (w *canaryWatch) end(c *api.Canary, lines []watchLine, now time.Time) ([]watchLine, bool, error) {
	at := c.Ended
	if at.IsZero() {
		at = now
	}
	switch c.Outcome {
	case outcomePromoted:
		return append(lines, watchLine{at, "promoted: " + c.Reason}), true, nil
	case outcomeRolledBack:
		lines = append(lines, watchLine{at, "rolled back: " + c.Reason})
		return lines, true, fmt.Errorf("the canary r%d of %s was rolled back: %s; see \"slipway rollout explain %s\"",
			c.Revision, w.service, c.Reason, w.service)
	}
	return lines, false, nil
}

// replaced explains a canary that is gone from the service's view.
func (w *canaryWatch) replaced(s api.Service) error {
	return fmt.Errorf("the canary r%d of %s is no longer in view: the service now targets revision %d (%s); see \"slipway rollout status %s\"",
		w.revision, w.service, s.Revision, whatItDoes(s), w.service)
}

// stateLine is the canary's step, traffic, header route and pause in
// one line: printed whenever any of them changes.
func (w *canaryWatch) stateLine(c *api.Canary) string {
	line := stepText(c)
	if !c.Full && c.Step < c.Steps {
		line = "step " + line
	}
	line += "; " + trafficText(c)
	if h := headerText(c); h != "" {
		line += "; " + h
	}
	switch {
	case c.Paused:
		line += "; paused: " + c.PauseReason
	case waitsForPromote(c):
		line += fmt.Sprintf("; waiting for \"slipway rollout promote %s\"", w.service)
	}
	return line
}

// observeRun returns what is new in an analysis run: each new
// measurement of each metric, and a line for a change of the run's
// phase. The first time round, only each metric's latest measurement is
// shown.
func (w *canaryWatch) observeRun(r *api.AnalysisRun, now time.Time) ([]reading, []watchLine) {
	name := runName(r)
	seen, ok := w.runs[name]
	if !ok || !seen.started.Equal(r.Started) {
		seen = seenRun{started: r.Started, phase: "running", taken: map[string]int{}}
	}
	var rs []reading
	for _, m := range r.Metrics {
		fresh := min(max(m.Taken-seen.taken[m.Name], 0), len(m.Measurements))
		if !w.started {
			fresh = min(fresh, 1)
		}
		for _, x := range m.Measurements[len(m.Measurements)-fresh:] {
			rs = append(rs, reading{at: orNow(x.Time, now), run: runLabel(r), text: measurementText(m, x)})
		}
		seen.taken[m.Name] = m.Taken
	}
	var lines []watchLine
	if r.Phase != seen.phase && (w.started || r.Phase != "running") {
		lines = append(lines, watchLine{orNow(r.Ended, now), name + " " + phaseText(r.Phase, r.Reason)})
	}
	seen.phase = r.Phase
	w.runs[name] = seen
	return rs, lines
}

// reading is one measurement as watch shows it: when it was taken, the
// analysis run that took it ("background", "step 4") and what it found.
type reading struct {
	at   time.Time
	run  string
	text string
}

// readingLines writes each reading once, labelled with its analysis:
// "[background] success-rate 0.993 >= 0.99 pass". The background
// analysis and an analysis step that share a metric measure it at the
// same pass, and the provider gives both the same answer: one reading
// with the same time and text in both runs is one line labelled with
// both, "[background, step 4] ...", not the same line twice.
func readingLines(rs []reading) []watchLine {
	type key struct {
		at   int64
		text string
	}
	var labels [][]string
	var lines []watchLine
	index := map[key]int{}
	for _, r := range rs {
		k := key{r.at.UnixNano(), r.text}
		i, ok := index[k]
		if ok && !slices.Contains(labels[i], r.run) {
			labels[i] = append(labels[i], r.run)
			continue
		}
		index[k] = len(lines)
		labels = append(labels, []string{r.run})
		lines = append(lines, watchLine{at: r.at, text: r.text})
	}
	for i := range lines {
		lines[i].text = "[" + strings.Join(labels[i], ", ") + "] " + lines[i].text
	}
	return lines
}

// runLabel is an analysis run's label on its measurements: "background",
// or "step 4" for the analysis step 4/5.
func runLabel(r *api.AnalysisRun) string {
	if r.Step < 0 {
		return "background"
	}
	return fmt.Sprintf("step %d", r.Step+1)
}

// measurementText is one measurement in words: "success-rate 0.993 >=
// 0.99 pass", "latency p=0.003 effect +128% fail: why".
func measurementText(m api.MetricRun, x api.Measurement) string {
	return fmt.Sprintf("%s %s %s", m.Name, measuredText(m, x), verdictText(x))
}

// orNow is t, or now when t is not known.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}
