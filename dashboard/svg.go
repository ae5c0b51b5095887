package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"
)

// Charts are inline SVG drawn here, so that pages need no script to
// show them. Each has a <title> and its numbers also appear as text.

// bar is instances ready of desired, drawn and said.
type bar struct {
	Ready, Desired int
	SVG            template.HTML
}

func newBar(ready, desired int) bar {
	const w = 80
	fill := 0
	if desired > 0 {
		fill = min(w, w*ready/desired)
	}
	class := "ok"
	if ready < desired {
		class = "busy"
	}
	svg := fmt.Sprintf(`<svg class="bar" width="%d" height="10" viewBox="0 0 %d 10" role="img" aria-label="%d of %d ready"><rect width="%d" height="10" class="track"/><rect width="%d" height="10" class="%s"/></svg>`,
		w, w, ready, desired, w, fill, class)
	return bar{Ready: ready, Desired: desired, SVG: template.HTML(svg)}
}

// point is one sample of a series over time.
type point struct {
	T time.Time
	V float64
}

// lineChart draws series (same time axis) as polylines in a w x h box,
// y from 0 to ymax; labels name the series in the legend.
func lineChart(title string, w, h int, ymax float64, unit string, labels []string, series ...[]point) template.HTML {
	var t0, t1 time.Time
	for _, s := range series {
		for _, p := range s {
			if t0.IsZero() || p.T.Before(t0) {
				t0 = p.T
			}
			if p.T.After(t1) {
				t1 = p.T
			}
		}
	}
	span := t1.Sub(t0).Seconds()
	if span <= 0 {
		span = 1
	}
	const left, bottom, top = 36, 16, 6
	pw, ph := float64(w-left-4), float64(h-bottom-top)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, w, h, esch(title), esch(title))
	for _, f := range []float64{0, 0.5, 1} {
		y := float64(top) + ph*(1-f)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/><text x="2" y="%.1f" class="axis">%s%s</text>`,
			left, w-4, y, y, y+3, axisNum(ymax*f), unit)
	}
	layout := "15:04:05"
	if span > 2*24*3600 {
		layout = "Jan 2"
	}
	if t0.IsZero() { // nothing recorded: say so rather than draw an axis from year 1
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="middle">nothing recorded yet</text></svg>`, left+int(pw/2), top+int(ph/2))
		return template.HTML(b.String())
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis">%s</text>`, left, h-3, t0.Format(layout))
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="axis" text-anchor="end">%s</text>`, w-4, h-3, t1.Format(layout))
	for i, s := range series {
		var pts []string
		for _, p := range s {
			x := float64(left) + pw*p.T.Sub(t0).Seconds()/span
			v := p.V
			if ymax > 0 {
				v = math.Min(v/ymax, 1)
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, float64(top)+ph*(1-v)))
		}
		if len(pts) == 1 { // one sample so far: a dot, not an invisible line
			x, y, _ := strings.Cut(pts[0], ",")
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" class="s%dfill"/>`, x, y, i)
			continue
		}
		fmt.Fprintf(&b, `<polyline points="%s" class="series s%d"/>`, strings.Join(pts, " "), i)
	}
	for i, l := range labels {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="legend s%d">%s</text>`, left+6+i*90, top+10, i, esch(l))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// tick is one analysis measurement on a strip: its verdict in colour,
// shape and text (a <title> with its reason).
type tick struct {
	Verdict status
	Reason  string
}

func tickStrip(title string, ticks []tick) template.HTML {
	const size, gap = 12, 3
	w := max(1, len(ticks)) * (size + gap)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="ticks" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, size+2, w, size+2, esch(title))
	for i, t := range ticks {
		x := i * (size + gap)
		// A shape as well as a colour: pass a plain square, fail a
		// crossed one, inconclusive a square with a bar, not judged
		// yet a circle.
		shape := fmt.Sprintf(`<rect x="%d" y="1" width="%d" height="%d" class="%s"/>`, x, size, size, t.Verdict.Class)
		switch t.Verdict.Class {
		case "bad":
			shape += fmt.Sprintf(`<path d="M%d 2 l%d %d M%d 2 l-%d %d" class="mark"/>`, x+1, size-2, size-2, x+size-1, size-2, size-2)
		case "wait":
			shape += fmt.Sprintf(`<path d="M%d %d h%d" class="mark"/>`, x+2, 1+size/2, size-4)
		case "busy":
			shape = fmt.Sprintf(`<circle cx="%d" cy="%d" r="%d" class="busy"/>`, x+size/2, 1+size/2, size/2-1)
		}
		fmt.Fprintf(&b, `<g><title>%s: %s</title>%s</g>`, esch(t.Verdict.Text), esch(t.Reason), shape)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// axisNum prints an axis value short (3 significant digits), so that
// it stays in the chart's left margin.
func axisNum(f float64) string { return strconv.FormatFloat(f, 'g', 3, 64) }

func esch(s string) string { return template.HTMLEscapeString(s) }

// trimFloat prints a number with at most 3 significant decimals.
func trimFloat(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-0" {
		return "0"
	}
	return s
}
