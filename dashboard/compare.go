package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/slipway-dev/slipway/api"
)

// compareView is a Mann-Whitney comparison of canary against baseline:
// the statistics the verdict rests on and the two distributions, drawn
// (box plots on one axis) and as a table of their quantiles.
type compareView struct {
	When                           string
	U, P, Alpha, Effect, MinEffect string
	CanaryMedian, BaselineMedian   string
	CanarySamples, BaselineSamples string
	SVG                            template.HTML
	Sides                          []spreadRow // baseline, canary; nil when not kept
}

// spreadRow is one side's quantiles, as text.
type spreadRow struct {
	Side                              string
	N                                 int
	Min, P10, P25, P50, P75, P90, Max string
}

// judgeCompare is the label the API gives the interval judge's metrics
// (api.MetricRun.Judge), whose measurements carry U, p and the spreads.
const judgeCompare = "compare: baseline"

// compareOf is the latest judged comparison of a metric (an
// inconclusive one with too few samples has no statistics), or nil.
func compareOf(m api.MetricRun) *compareView {
	if m.Judge != judgeCompare {
		return nil
	}
	for i := len(m.Measurements) - 1; i >= 0; i-- {
		ms := m.Measurements[i]
		if _, ok := ms.Stats["u"]; ok {
			return newCompareView(ms)
		}
	}
	return nil
}

func newCompareView(ms api.Measurement) *compareView {
	st := ms.Stats
	cv := &compareView{When: ms.Time.Format("15:04:05"), U: trimFloat(st["u"]), P: strings.TrimSpace(fmt.Sprintf("%.3g", st["p"])),
		Alpha: trimFloat(st["alpha"]), Effect: signedPercent(st["effect"]), MinEffect: percent(st["minEffect"]),
		CanaryMedian: trimFloat(st["canaryMedian"]), BaselineMedian: trimFloat(st["baselineMedian"]),
		CanarySamples: trimFloat(st["canarySamples"]), BaselineSamples: trimFloat(st["baselineSamples"])}
	s := ms.Spreads
	if s == nil { // measured before Slipway kept the spreads: the medians are all there is
		cv.SVG = compareBars(st["canaryMedian"], st["baselineMedian"])
		return cv
	}
	cv.SVG = boxPlots(s.Baseline, s.Canary)
	cv.Sides = []spreadRow{spreadText("baseline", s.Baseline), spreadText("canary", s.Canary)}
	return cv
}

func spreadText(side string, s api.Spread) spreadRow {
	t := trimFloat
	return spreadRow{Side: side, N: s.N, Min: t(s.Min), P10: t(s.P10), P25: t(s.P25), P50: t(s.P50), P75: t(s.P75), P90: t(s.P90), Max: t(s.Max)}
}

// boxPlots draws the baseline's and the canary's samples on one axis:
// a whisker from min to max, a thin bar from p10 to p90, a box from p25
// to p75 and a thick line at the median. The shapes, not only the
// colours, tell them apart (the canary's box is dashed), and each row
// is labelled.
func boxPlots(baseline, canary api.Spread) template.HTML {
	const w, h, left, right, row = 320, 74, 62, 8, 24
	lo, hi := math.Min(baseline.Min, canary.Min), math.Max(baseline.Max, canary.Max)
	if hi <= lo {
		hi = lo + 1
	}
	x := func(v float64) float64 { return left + (w-left-right)*(v-lo)/(hi-lo) }
	var b strings.Builder
	label := fmt.Sprintf("baseline median %s (middle half %s to %s, %d samples); canary median %s (middle half %s to %s, %d samples)",
		trimFloat(baseline.P50), trimFloat(baseline.P25), trimFloat(baseline.P75), baseline.N,
		trimFloat(canary.P50), trimFloat(canary.P25), trimFloat(canary.P75), canary.N)
	fmt.Fprintf(&b, `<svg class="compare" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, w, h, esch(label), esch(label))
	for i, side := range []struct {
		name string
		s    api.Spread
		box  string
	}{{"baseline", baseline, "box s0box"}, {"canary", canary, "box s1box"}} {
		y := 6 + i*row
		s := side.s
		fmt.Fprintf(&b, `<g><title>%s: min %s, p10 %s, p25 %s, median %s, p75 %s, p90 %s, max %s (%d samples)</title>`,
			side.name, trimFloat(s.Min), trimFloat(s.P10), trimFloat(s.P25), trimFloat(s.P50), trimFloat(s.P75), trimFloat(s.P90), trimFloat(s.Max), s.N)
		fmt.Fprintf(&b, `<text x="0" y="%d" class="axis">%s</text>`, y+12, side.name)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" class="whisker"/>`, x(s.Min), x(s.Max), y+8, y+8)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="6" class="tail"/>`, x(s.P10), y+5, x(s.P90)-x(s.P10))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="16" class="%s"/>`, x(s.P25), y, math.Max(x(s.P75)-x(s.P25), 1), side.box)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" class="median"/></g>`, x(s.P50), x(s.P50), y-2, y+18)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis">%s</text><text x="%d" y="%d" class="axis" text-anchor="end">%s</text></svg>`,
		left, h-2, trimFloat(lo), w-right, h-2, trimFloat(hi))
	return template.HTML(b.String())
}

// compareBars draws two medians side by side (canary against baseline),
// for measurements that kept no spreads.
func compareBars(canary, baseline float64) template.HTML {
	const w, h = 240, 40
	top := math.Max(canary, baseline)
	if top <= 0 {
		top = 1
	}
	cw, bw := int(float64(w-70)*canary/top), int(float64(w-70)*baseline/top)
	return template.HTML(fmt.Sprintf(`<svg class="compare medians" width="%[1]d" height="%[2]d" viewBox="0 0 %[1]d %[2]d" role="img" aria-label="canary median %[3]s, baseline median %[4]s">`+
		`<text x="0" y="13" class="axis">baseline</text><rect x="60" y="3" width="%[5]d" height="12" class="s0fill"/>`+
		`<text x="0" y="33" class="axis">canary</text><rect x="60" y="23" width="%[6]d" height="12" class="s1fill"/></svg>`,
		w, h, trimFloat(canary), trimFloat(baseline), bw, cw))
}

// judgeSequential labels the sequential judge's metrics.
const judgeSequential = "compare: baseline, sequential"

// sequentialView is the sequential judge's latest look: the
// canary/baseline ratio with its anytime-valid confidence interval,
// against no change (1) and the change allowed (1 + minEffect).
type sequentialView struct {
	When, Estimate, Lower, Upper, Allowed, Level string
	Samples                                      string
	SVG                                          template.HTML
}

// sequentialOf is the latest measurement of a sequentially judged
// comparison, or nil.
func sequentialOf(m api.MetricRun) *sequentialView {
	if m.Judge != judgeSequential {
		return nil
	}
	for i := len(m.Measurements) - 1; i >= 0; i-- {
		ms := m.Measurements[i]
		st := ms.Stats
		if _, ok := st["estimate"]; !ok {
			continue
		}
		upper := trimFloat(st["upper"])
		if st["upper"] > 1e12 {
			upper = "unbounded"
		}
		return &sequentialView{When: ms.Time.Format("15:04:05"), Estimate: trimFloat(st["estimate"]), Lower: trimFloat(st["lower"]), Upper: upper,
			Allowed: trimFloat(1 + st["minEffect"]), Level: percent(1 - st["alpha"]),
			Samples: fmt.Sprintf("%s canary and %s baseline", trimFloat(st["canarySamples"]), trimFloat(st["baselineSamples"])),
			SVG:     ratioInterval(st["estimate"], st["lower"], st["upper"], 1+st["minEffect"])}
	}
	return nil
}

// ratioInterval draws the ratio's interval on an axis from 0, with
// marks at 1 (no change) and at allowed; an unbounded upper end runs
// off the axis with an arrow.
func ratioInterval(est, lo, hi, allowed float64) template.HTML {
	const w, h, left, right = 320, 46, 60, 8
	top := math.Max(allowed*1.5, math.Min(math.Max(hi, est)*1.1, math.Max(allowed*2, est*1.5)))
	x := func(v float64) float64 { return left + (w-left-right)*math.Min(math.Max(v, 0), top)/top }
	label := fmt.Sprintf("canary/baseline ratio %s, interval %s to %s; 1 is no change, %s the most allowed", trimFloat(est), trimFloat(lo), trimFloat(hi), trimFloat(allowed))
	if hi > top {
		label = fmt.Sprintf("canary/baseline ratio %s, interval from %s, unbounded above so far; 1 is no change, %s the most allowed", trimFloat(est), trimFloat(lo), trimFloat(allowed))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="compare" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, w, h, esch(label), esch(label))
	for _, m := range []struct { // labels on either side of their marks, so that they never overlap
		v      float64
		text   string
		dx     float64
		anchor string
	}{{1, "no change: 1", -2, "end"}, {allowed, trimFloat(allowed) + ": allowed", 2, "start"}} {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="2" y2="30" class="grid"/><text x="%.1f" y="40" class="axis" text-anchor="%s">%s</text>`, x(m.v), x(m.v), x(m.v)+m.dx, m.anchor, m.text)
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="15" y2="15" class="whisker"/>`, x(lo), x(hi))
	if hi > top {
		fmt.Fprintf(&b, `<path d="M%d 10 l6 5 l-6 5" class="whisker"/>`, w-right-6)
	}
	fmt.Fprintf(&b, `<circle cx="%.1f" cy="15" r="5" class="s1fill"/></svg>`, x(est))
	return template.HTML(b.String())
}
