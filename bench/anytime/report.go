package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/slipway-dev/slipway/analysis"
)

// printFalseAlarms prints, per A/A scenario and judge, the share of
// canaries failed with its 95% Wilson interval, against alpha.
func printFalseAlarms(w io.Writer, cfg config, all [][][numJudges]outcome) {
	fmt.Fprintf(w, "False alarms: %d A/A canaries per row, watched %s; the sequential judge looked at after every observation\n", cfg.canaries, cfg.deadline)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "canary\tjudge\tfailed\tshare\t95% CI\ttarget")
	for i, sc := range aaScenarios {
		for j := range numJudges {
			failed, n := 0, 0
			for _, o := range all[i] {
				if o[j].verdict == analysis.Error {
					continue
				}
				n++
				if o[j].verdict == analysis.Fail {
					failed++
				}
			}
			if n == 0 {
				continue
			}
			lo, hi := wilson(failed, n)
			target := "-"
			if j == sequential {
				ok := "met"
				if float64(failed)/float64(n) > cfg.alpha || hi > 1.25*cfg.alpha {
					ok = "MISSED"
				}
				target = fmt.Sprintf("share <= %.3g, CI top <= %.3g: %s", cfg.alpha, 1.25*cfg.alpha, ok)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%.4f\t[%.4f, %.4f]\t%s\n", sc.name, j, failed, n, float64(failed)/float64(n), lo, hi, target)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// wilson is the 95% Wilson score interval of k successes in n.
func wilson(k, n int) (lo, hi float64) {
	const z = 1.959964
	p, fn := float64(k)/float64(n), float64(n)
	c := (p + z*z/(2*fn)) / (1 + z*z/fn)
	h := z * math.Sqrt(p*(1-p)/fn+z*z/(4*fn*fn)) / (1 + z*z/fn)
	return max(0, c-h), min(1, c+h)
}

// printTimes prints, per scenario and judge, how many canaries got the
// wanted verdict within the deadline, the median and 90th percentile of
// the time it took, and how many got the other verdict.
func printTimes(w io.Writer, cfg config, title string, scs []scenario, all [][][numJudges]outcome, want analysis.Verdict) {
	fmt.Fprintf(w, "%s: %d canaries per row, watched up to %s\n", title, cfg.runs, cfg.deadline)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "canary\tjudge\t%s\tmedian\tp90\twrong verdict\n", want)
	for i, sc := range scs {
		for j := range numJudges {
			var ts []time.Duration
			wrong, n := 0, 0
			for _, o := range all[i] {
				switch o[j].verdict {
				case analysis.Error:
					continue
				case want:
					ts = append(ts, o[j].at)
				case analysis.Pass, analysis.Fail:
					wrong++
				}
				n++
			}
			if n == 0 {
				fmt.Fprintf(tw, "%s\t%s\tn/a\t\t\t\n", sc.name, j)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s\t%s\t%d\n", sc.name, j, len(ts), n, quantile(ts, 0.5, n), quantile(ts, 0.9, n), wrong)
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// quantile is the q-quantile of ts among n canaries (the others never
// got there: "> deadline" when the quantile falls among them).
func quantile(ts []time.Duration, q float64, n int) string {
	slices.Sort(ts)
	k := int(math.Ceil(q*float64(n))) - 1
	if k >= len(ts) || k < 0 {
		return "never"
	}
	return fmt.Sprintf("%.1fs", ts[k].Seconds())
}

// printCost measures the sequential judges' cost per observation with
// testing.Benchmark, as analysis's BenchmarkCountTestLook and
// BenchmarkQuantileTestLook do.
func printCost(w io.Writer) {
	fmt.Fprintln(w, "Judge cost per observation (one request counted, then a look)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "judge\tns/op\tallocs/op")
	for _, b := range []struct {
		name string
		fn   func(*testing.B)
	}{{"count test (errors)", benchCount}, {"quantile test (p99, 192 bins)", benchQuantile}} {
		r := testing.Benchmark(b.fn)
		fmt.Fprintf(tw, "%s\t%d\t%d\n", b.name, r.NsPerOp(), r.AllocsPerOp())
	}
	tw.Flush()
}

func benchCount(b *testing.B) {
	ct := analysis.NewCountTest(analysis.SequentialConfig{Alpha: 0.05, MinEffect: 0.5})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		canary, failed := i%10 == 0, i%1000 == 0 || i%100 == 5
		var cn, ce, sn, se int64
		if canary {
			cn, ce = 1, b2i(failed)
		} else {
			sn, se = 1, b2i(failed)
		}
		ct.Add(cn, ce, sn, se)
		ct.State()
	}
}

func benchQuantile(b *testing.B) {
	up := make([]float64, 192)
	for i := range up {
		up[i] = 1e-6 * math.Pow(2, float64(i+1)/8)
	}
	canary, base := make([]int64, len(up)), make([]int64, len(up))
	qt := analysis.NewQuantileTest(analysis.SequentialConfig{Alpha: 0.05, MinEffect: 0.5}, 0.99)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		bin := 100 + i%7 + (i%97)/90*10
		if i%10 == 0 {
			canary[bin]++
		} else {
			base[bin]++
		}
		qt.State(canary, base, up)
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
