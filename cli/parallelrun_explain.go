package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/api"
)

// printParallelExplain writes a parallel run's outcome, its gate and
// course, then every route with every field and the kept samples.
func printParallelExplain(w io.Writer, service string, p *api.ParallelRun, now time.Time) {
	fmt.Fprintln(w, parallelOutcomeLine(service, p, now))
	t := newTable(w)
	fmt.Fprintf(t, "rollout:\tparallel run: stable r%d -> candidate r%d\n", p.Stable, p.Revision)
	fmt.Fprintf(t, "gate:\tmirror %d%% of requests; %s\n", p.Percent, gateText(p))
	fmt.Fprintf(t, "mirrored:\t%s\n", mirroredText(p))
	if !p.Ended.IsZero() {
		fmt.Fprintf(t, "ended:\t%s\n", formatTime(p.Ended))
	}
	switch {
	case p.Verdict == "":
	case p.Outcome == "":
		fmt.Fprintf(t, "verdict so far:\t%s\n", verdictSoFar(p))
	case !strings.Contains(p.Reason, p.VerdictReason): // aborted: what the comparison said then
		fmt.Fprintf(t, "last verdict:\t%s\n", verdictSoFar(p))
	}
	fmt.Fprintf(t, "compared:\t%s\n", comparedText(p.Report))
	t.Flush()
	for _, r := range byMismatch(p.Report) {
		fmt.Fprintln(w)
		printRouteExplain(w, r)
	}
}

// parallelOutcomeLine is the one plain line that says how the run ended
// and why, or where it stands while in flight.
func parallelOutcomeLine(service string, p *api.ParallelRun, now time.Time) string {
	head := fmt.Sprintf("parallel run r%d of %s", p.Revision, service)
	switch {
	case p.Outcome == outcomePromoted:
		return head + " was promoted: " + p.Reason
	case p.Outcome == outcomeRolledBack:
		return head + " was rolled back: " + p.Reason
	case p.Started.IsZero():
		return fmt.Sprintf("%s waits for revision %d's instances to be ready before mirroring", head, p.Revision)
	}
	return fmt.Sprintf("%s is in flight, mirroring until %s (%s); verdict so far: %s",
		head, formatTime(p.Ends), timeLeft(p.Ends, now), verdictSoFar(p))
}

// mirroredText is the run's mirroring window: "T1 .. T2 (10m0s)", cut
// short when the run ended before its time was up.
func mirroredText(p *api.ParallelRun) string {
	switch {
	case p.Started.IsZero() && p.Outcome != "":
		return fmt.Sprintf("never: the run ended before revision %d's instances were ready", p.Revision)
	case p.Started.IsZero():
		return "not yet"
	}
	s := fmt.Sprintf("%s .. %s (%s)", formatTime(p.Started), formatTime(p.Ends), roundDuration(p.Ends.Sub(p.Started)))
	if !p.Ended.IsZero() && p.Ended.Before(p.Ends) {
		s += fmt.Sprintf(", ended early after %s", roundDuration(p.Ended.Sub(p.Started)))
	}
	return s
}

// printRouteExplain writes one route: its counts, every field that
// differed on either side, and the samples kept of each.
func printRouteExplain(w io.Writer, r api.MirrorRoute) {
	fmt.Fprintf(w, "%s: %d compared, %d %s beyond noise (%s); noise measured on %d second stable answers\n",
		r.Route, r.Compared, r.Mismatched, differ(r.Mismatched), ratePercent(r.MismatchRate), r.NoiseSamples)
	if len(r.Fields) == 0 {
		fmt.Fprintln(w, "  no field differed")
		return
	}
	t := newTable(w)
	fmt.Fprintln(t, "  FIELD\tDIFFERENCES\tRATE\tNOISE\tNOISE RATE\tVERDICT")
	var samples []api.MirrorSample
	for _, f := range r.Fields {
		fmt.Fprintf(t, "  %s\t%d\t%s\t%d\t%s\t%s\n",
			f.Field, f.Differences, ratePercent(f.Rate), f.Noise, ratePercent(f.NoiseRate), fieldVerdict(f))
		samples = append(samples, f.Samples...)
	}
	t.Flush()
	if len(samples) == 0 {
		return
	}
	fmt.Fprintln(w, "  samples (primary -> candidate):")
	for _, x := range samples {
		fmt.Fprintf(w, "    %s\n", sampleText(x))
	}
}
