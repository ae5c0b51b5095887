package cli

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// Bounds of the comparison `rollout status` shows: the routes that
// differ most and, in each, the fields that count first. The rest is in
// `rollout explain`.
const (
	topRoutes = 3
	topFields = 3
)

// printParallelStatus writes `rollout status` for a service whose latest
// rollout is a parallel run: the revisions, what is mirrored until when,
// the verdict so far, the counts against the gate, and the routes and
// fields that differ most.
func printParallelStatus(w io.Writer, s api.Service, now time.Time) {
	p := s.ParallelRun
	t := newTable(w)
	fmt.Fprintf(t, "service:\t%s\n", s.Name)
	fmt.Fprintf(t, "rollout:\tparallel run: stable r%d -> candidate r%d\n", p.Stable, p.Revision)
	fmt.Fprintf(t, "traffic:\t%s\n", parallelTrafficText(p))
	if p.Outcome == "" {
		fmt.Fprintf(t, "mirroring:\t%s\n", mirroringText(p, now))
	} else {
		fmt.Fprintf(t, "outcome:\t%s\n", outcomeText(p))
	}
	if p.Outcome == "" && !p.Started.IsZero() {
		fmt.Fprintf(t, "verdict so far:\t%s\n", verdictSoFar(p))
	}
	if !p.Started.IsZero() {
		fmt.Fprintf(t, "compared:\t%s\n", comparedText(p.Report))
	}
	fmt.Fprintf(t, "gate:\t%s\n", gateText(p))
	if p.Outcome == "" && !p.Started.IsZero() {
		fmt.Fprintf(t, "steer:\t\"slipway rollout promote %s\" judges it now; \"slipway rollout abort %s\" rejects it\n", s.Name, s.Name)
	}
	t.Flush()
	printTopRoutes(w, s.Name, byMismatch(p.Report))
}

// parallelTrafficText says who answers users: stable throughout the
// run, the candidate once promoted.
func parallelTrafficText(p *api.ParallelRun) string {
	switch p.Outcome {
	case outcomePromoted:
		return fmt.Sprintf("all on r%d (promoted)", p.Revision)
	case outcomeRolledBack:
		return fmt.Sprintf("all on r%d (stable; users never left it)", p.Stable)
	}
	if p.Started.IsZero() {
		return fmt.Sprintf("all on r%d (stable)", p.Stable)
	}
	return fmt.Sprintf("all users on r%d (stable); r%d answers copies only", p.Stable, p.Revision)
}

// printTopRoutes writes the routes that differ most and their fields
// that count first, each field's rate beside stable's own (the noise).
func printTopRoutes(w io.Writer, service string, routes []api.MirrorRoute) {
	if len(routes) == 0 {
		return
	}
	fmt.Fprintln(w)
	var b bytes.Buffer // route rows end in empty cells: trimmed below
	t := newTable(&b)
	fmt.Fprintln(t, "ROUTE / FIELD\tCOMPARED\tDIFFER\tRATE\tNOISE RATE\tVERDICT")
	moreFields := 0
	for _, r := range routes[:min(len(routes), topRoutes)] {
		fmt.Fprintf(t, "%s\t%d\t%d\t%s\t\t\n", r.Route, r.Compared, r.Mismatched, ratePercent(r.MismatchRate))
		for _, f := range r.Fields[:min(len(r.Fields), topFields)] {
			fmt.Fprintf(t, "  %s\t\t%d\t%s\t%s\t%s\n", f.Field, f.Differences, ratePercent(f.Rate), ratePercent(f.NoiseRate), fieldVerdict(f))
		}
		moreFields += max(len(r.Fields)-topFields, 0)
	}
	t.Flush()
	for line := range strings.Lines(b.String()) {
		fmt.Fprintln(w, strings.TrimRight(line, " \n"))
	}
	if more := moreText(len(routes)-topRoutes, moreFields); more != "" {
		fmt.Fprintf(w, "... and %s: see \"slipway rollout explain %s\"\n", more, service)
	}
}

// moreText counts what printTopRoutes left out: "2 more routes, 1 more
// field", or "".
func moreText(routes, fields int) string {
	var parts []string
	if routes > 0 {
		parts = append(parts, plural(routes, "more route"))
	}
	if fields > 0 {
		parts = append(parts, plural(fields, "more field"))
	}
	return strings.Join(parts, ", ")
}

// parallelBrief is the parallel run of a service in flight in a few
// words, for `slipway status`: "parallel run r3: mirroring 100%, 240
// compared, 0.42% differ", or "" when none is.
func parallelBrief(s api.Service) string {
	if !parallelInFlight(s) {
		return ""
	}
	p := s.ParallelRun
	head := "parallel run r" + strconv.Itoa(p.Revision) + ": "
	if p.Started.IsZero() {
		return head + "waiting for its instances"
	}
	brief := fmt.Sprintf("%smirroring %d%%", head, p.Percent)
	r := p.Report
	if r == nil {
		return brief + ", 0 compared"
	}
	brief += fmt.Sprintf(", %d compared, %s differ", r.Compared, ratePercent(r.MismatchRate))
	if p.Verdict == verdictFailed {
		brief += " (over the " + ratePercent(p.MaxMismatchRate) + " limit)"
	}
	return brief
}
