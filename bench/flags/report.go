package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// table is the one table the bench prints: a line per measure, the
// peer's figure beside Slipway's, and numbered notes under it.
type table struct {
	rows  []row
	notes []string
}

type row struct{ what, slipway, peer string }

func (t *table) add(what, slipway, peer string) { t.rows = append(t.rows, row{what, slipway, peer}) }

// note adds a note once and returns its reference, "(n)".
func (t *table) note(text string) string {
	i := slices.Index(t.notes, text)
	if i < 0 {
		t.notes, i = append(t.notes, text), len(t.notes)
	}
	return fmt.Sprintf("(%d)", i+1)
}

func (t *table) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tslipway\tpeer: flagd")
	for _, r := range t.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.what, r.slipway, r.peer)
	}
	tw.Flush()
	if len(t.notes) > 0 {
		fmt.Fprintln(w)
	}
	for i, n := range t.notes {
		fmt.Fprintf(w, "(%d) %s\n", i+1, n)
	}
}

// fmtLoad is a load's result in one cell.
func fmtLoad(r loadResult) string {
	s := fmt.Sprintf("%s req/s  p50 %s  p99 %s  server CPU %s/req", thousands(r.rate), ms(r.p50), ms(r.p99), us(r.cpuReq))
	if r.errs > 0 {
		s += fmt.Sprintf("  %d ERRORS (first: %.80s)", r.errs, r.firstErr)
	}
	return s
}

// fmtSpread is the median and max of durations in nanoseconds.
func fmtSpread(ns []int64) string {
	if len(ns) == 0 {
		return "none"
	}
	s := slices.Clone(ns)
	slices.Sort(s)
	return fmt.Sprintf("median %s  max %s  (n=%d)", ms(time.Duration(median(s))), ms(time.Duration(s[len(s)-1])), len(s))
}

// median of sorted values (the mean of the middle two for an even count).
func median(s []int64) int64 {
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// thousands prints x rounded, with thin separators: 41,230.
func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
