package main

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/rollout"
	"github.com/slipway-dev/slipway/spec"
)

// setup is what every simulated canary shares.
type setup struct {
	rate     float64       // requests a second, both sides
	weight   float64       // the canary's share of requests
	interval time.Duration // the interval judges' period
	deadline time.Duration // how long a canary is watched
	alpha    float64       // the sequential judge's
	beta     float64       // the sequential judge's pass side
	upper    []float64     // the router's latency bins, upper edges in seconds
}

// scenario is one kind of canary.
type scenario struct {
	name                 string
	stableErr, canaryErr float64 // error rates
	latency              float64 // canary latencies are multiplied by this
	quantile             float64 // the latency metric judged (0: judge errors)
}

// judge names one of the judges compared.
type judge int

const (
	sequential judge = iota
	intervalThreshold
	intervalCompare
	numJudges
)

func (j judge) String() string {
	return [...]string{"sequential (100ms tick, and at each error)", "interval threshold (result >= 0.99, 5s)", "interval compare (Mann-Whitney, 5s)"}[j]
}

// outcome is what one judge concluded about one canary, and when.
type outcome struct {
	verdict analysis.Verdict // Fail, Pass, or Pending when undecided at the deadline
	at      time.Duration
}

// canary is one simulated canary: its requests, drawn once, as seen by
// every judge.
type canary struct {
	s   setup
	sc  scenario
	rng *rand.Rand
}

// request is one simulated request.
type request struct {
	at      time.Duration
	canary  bool
	failed  bool
	latency float64 // seconds
}

func (c *canary) next(at time.Duration) request {
	gap := time.Duration(c.rng.ExpFloat64() / c.s.rate * float64(time.Second))
	r := request{at: at + gap, canary: c.rng.Float64() < c.s.weight}
	errRate, scale := c.sc.stableErr, 1.0
	if r.canary {
		errRate, scale = c.sc.canaryErr, c.sc.latency
	}
	r.failed = c.rng.Float64() < errRate
	r.latency = scale * math.Exp(math.Log(0.020)+0.5*c.rng.NormFloat64())
	return r
}

// bin is the router's latency bin of v seconds.
func (s setup) bin(v float64) int {
	return min(sort.SearchFloat64s(s.upper, v), len(s.upper)-1)
}

// side is what one side answered: in total, in the current tick, and
// in the current second and interval (for the interval judges).
type side struct {
	n, errs         int64
	tickN, tickErrs int64
	bins            []int64 // since the start
	secN, secErrs   int64
	secBins         []int64
	winN, winErrs   int64
	samples         []float64 // per-second values for the interval compare judge
}

func newSide(bins int) *side {
	return &side{bins: make([]int64, bins), secBins: make([]int64, bins)}
}

func (sd *side) add(r request, bin int) {
	sd.n++
	sd.tickN++
	sd.secN++
	sd.winN++
	sd.bins[bin]++
	sd.secBins[bin]++
	if r.failed {
		sd.errs++
		sd.tickErrs++
		sd.secErrs++
		sd.winErrs++
	}
}

// endSecond closes a second: its success rate or latency quantile is
// one sample of the interval compare judge, if it had requests.
func (sd *side) endSecond(sc scenario, upper []float64) {
	if sd.secN > 0 {
		v := 1 - float64(sd.secErrs)/float64(sd.secN)
		if sc.quantile > 0 {
			v = analysis.QuantileEstimate(sd.secBins, upper, sc.quantile)
		}
		sd.samples = append(sd.samples, v)
	}
	sd.secN, sd.secErrs = 0, 0
	clear(sd.secBins)
}

// run simulates one canary until every judge decided or the deadline,
// and returns each judge's outcome. watch is the false-alarm mode: the
// sequential judge is looked at after every request (not every tick),
// and only failures decide, as in a background analysis, which watches
// on after a pass.
func (c *canary) run(watch bool) [numJudges]outcome {
	s, sc := c.s, c.sc
	cfg := analysis.SequentialConfig{Alpha: s.alpha, Beta: s.beta, MinEffect: spec.DefaultMinEffect, Weight: s.weight}
	var qt *analysis.QuantileTest
	if sc.quantile > 0 {
		qt = analysis.NewQuantileTest(cfg, sc.quantile)
	} else {
		cfg.Floor = spec.DefaultErrorFloor
	}
	counts := analysis.NewCountTest(cfg)
	cs, bs := newSide(len(s.upper)), newSide(len(s.upper))
	var out [numJudges]outcome
	passes := [numJudges]int{}
	decide := func(j judge, v analysis.Verdict, at time.Duration) {
		if out[j].verdict == analysis.Pending && (v == analysis.Fail || !watch) {
			out[j] = outcome{v, at}
		}
	}
	if sc.quantile > 0 {
		out[intervalThreshold] = outcome{verdict: analysis.Error} // no threshold on a latency here
	}
	look := func(at time.Duration) {
		var v analysis.Verdict
		if qt != nil {
			v = qt.State(cs.bins, bs.bins, s.upper).Verdict
		} else {
			v = counts.State().Verdict
		}
		if v == analysis.Fail || v == analysis.Pass {
			decide(sequential, v, at)
		}
	}
	tick := rollout.SequentialTick
	nextTick, nextSec, nextInterval := tick, time.Second, s.interval
	r := c.next(0)
	for now := time.Duration(0); now < s.deadline && !allDecided(out); {
		// Everything due before the next request, in time order.
		switch {
		case nextTick <= r.at && nextTick <= nextSec && nextTick <= nextInterval:
			counts.Add(cs.tickN, cs.tickErrs, bs.tickN, bs.tickErrs)
			cs.tickN, cs.tickErrs, bs.tickN, bs.tickErrs = 0, 0, 0, 0
			look(nextTick)
			now, nextTick = nextTick, nextTick+tick
		case nextSec <= r.at && nextSec <= nextInterval:
			cs.endSecond(sc, s.upper)
			bs.endSecond(sc, s.upper)
			now, nextSec = nextSec, nextSec+time.Second
		case nextInterval <= r.at:
			c.judgeInterval(cs, bs, nextInterval, &passes, decide)
			now, nextInterval = nextInterval, nextInterval+s.interval
		default:
			sd := bs
			if r.canary {
				sd = cs
			}
			sd.add(r, s.bin(r.latency))
			if watch || r.failed { // the server looks at once after an error (metrics.Errors)
				counts.Add(cs.tickN, cs.tickErrs, bs.tickN, bs.tickErrs)
				cs.tickN, cs.tickErrs, bs.tickN, bs.tickErrs = 0, 0, 0, 0
				look(r.at)
			}
			now, r = r.at, c.next(r.at)
		}
	}
	return out
}

func allDecided(out [numJudges]outcome) bool {
	for _, o := range out {
		if o.verdict == analysis.Pending {
			return false
		}
	}
	return true
}

// judgeInterval is the two interval judges' measurement at the end of
// an interval: a failure decides at once (failureLimit 0), the third
// pass passes (an analysis step's count).
func (c *canary) judgeInterval(cs, bs *side, at time.Duration, passes *[numJudges]int, decide func(judge, analysis.Verdict, time.Duration)) {
	count := func(j judge, v analysis.Verdict) {
		switch v {
		case analysis.Fail:
			decide(j, analysis.Fail, at)
		case analysis.Pass:
			if passes[j]++; passes[j] == 3 {
				decide(j, analysis.Pass, at)
			}
		}
	}
	if c.sc.quantile == 0 && cs.winN > 0 {
		v := analysis.Pass
		if 1-float64(cs.winErrs)/float64(cs.winN) < 0.99 {
			v = analysis.Fail
		}
		count(intervalThreshold, v)
	}
	cs.winN, cs.winErrs, bs.winN, bs.winErrs = 0, 0, 0, 0
	cfg := analysis.CompareConfig{Confidence: 0.95, MinEffect: 0.5, HigherIsWorse: c.sc.quantile > 0}
	count(intervalCompare, analysis.Compare(cfg, "m", cs.samples, bs.samples).Verdict)
}
