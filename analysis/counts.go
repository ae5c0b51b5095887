package analysis

import "math"

// The mixtures of CountTest are over the rate ratio theta = canary rate /
// stable rate, on a grid of gridN points from 2^gridLo2 to 2^-gridLo2 in
// steps of 2^gridStep2. The prior puts 1-uniformShare of its weight on a
// normal prior on ln(theta) with sd mixtureSD (the mSPRT's normal
// mixture, discretised), which detects small regressions, and
// uniformShare uniformly on the grid, so that a canary failing many
// times more often than stable is caught within two or three errors.
// The grid reaches 2^10 because a canary broken outright fails hundreds
// of times more often than a healthy stable: the mass up there lets two
// canary errors and none on stable decide at a 10% share with room
// (e = 39 against 1/alpha = 20; 22 on a grid to 2^6, which a share
// estimated at 11% already left short, waiting for a third error, a
// second on average), for a little less evidence on small regressions
// (e 20 where it was 24 for 40 canary errors to 200 on stable).
// The test of a regression mixes over theta >= 1 only, the test of no
// regression over theta <= 1+MinEffect only (each alternative where it
// can be: twice the evidence for the same data), and the confidence
// sequence over the whole grid. A finite mixture of likelihood ratios is
// itself a likelihood ratio: exact, not an approximation.
const (
	gridN        = 161
	gridLo2      = -10.0
	gridStep2    = 0.125
	mixtureSD    = 1.0
	uniformShare = 0.7
	// shareDecay weighs the requests that estimate the canary's share
	// of traffic: each counts 1/500 less than the next.
	shareDecay = 1 - 1.0/500
)

// grid holds the thetas and the prior's weights (normalised).
var grid = func() (g struct{ theta, w, logW [gridN]float64 }) {
	var normal [gridN]float64
	var sum float64
	for i := range gridN {
		l := (gridLo2 + float64(i)*gridStep2) * math.Ln2
		g.theta[i] = math.Exp(l)
		normal[i] = math.Exp(-l * l / (2 * mixtureSD * mixtureSD))
		sum += normal[i]
	}
	for i := range g.logW {
		g.w[i] = (1-uniformShare)*normal[i]/sum + uniformShare/gridN
		g.logW[i] = math.Log(g.w[i])
	}
	return g
}()

// restricted returns the log weights of the prior restricted to the
// thetas keep accepts, normalised; -Inf elsewhere.
func restricted(keep func(theta float64) bool) (out [gridN]float64) {
	var sum float64
	for i, th := range grid.theta {
		if keep(th) {
			sum += grid.w[i]
		}
	}
	for i, th := range grid.theta {
		out[i] = math.Inf(-1)
		if keep(th) {
			out[i] = math.Log(grid.w[i] / sum)
		}
	}
	return out
}

// worseW weighs the alternatives of the test of a regression.
var worseW = restricted(func(th float64) bool { return th >= 1 })

// CountTest is a sequential, anytime-valid test that the canary's event
// rate per request (its errors) is no higher than the stable's, after
// Lindon, Sanden and Shirikian (KDD 2022) on counting processes.
//
// The router sends each request to the canary with probability p, its
// weight, whatever the request's fate; so conditional on the events of a
// tick (canary x, stable y), the canary's count is Binomial(x+y, rho)
// with rho = theta*p / (theta*p + 1-p), where theta is the ratio of the
// sides' per-request event rates (theta = 1 under the null). p is the
// canary's share of recent requests (decayed by shareDecay a request,
// about the last 500, starting from 500 at the configured weight): the
// router's split as it is, sticky sessions and header routes included,
// following a weight change. (Conditioning on
// the tick's own share instead would be exact for Poisson counts but,
// with ticks of a few requests, would give the information away: an
// erroring request is itself part of its tick's share.) The product over
// ticks of the mixture's likelihood over the null's is a nonnegative martingale under
// the null, so by Ville's inequality it exceeds 1/alpha with probability
// at most alpha, at any time, however often it is looked at. Inverting it
// gives a confidence sequence for theta.
//
// Add is called once per tick with that tick's increments; it allocates
// nothing. The zero CountTest is not ready: use NewCountTest.
type CountTest struct {
	cfg    SequentialConfig
	recent [2]float64     // each side's requests, decayed by shareDecay a request
	passW  [gridN]float64 // weighs the alternatives of the test of no regression
	// ln of the mixtures' likelihoods, kept by Add: the whole grid's
	// (the confidence sequence), worseW's and passW's.
	logMixture, logWorse, logBetter float64
	ll                              [gridN]float64 // log-likelihood of each grid theta
	one                             nullPoint      // theta = 1: no regression
	edge                            nullPoint      // theta = 1+MinEffect: the largest regression tolerated
	// Cumulative requests and events of each side.
	CanaryN, StableN, CanaryEvents, StableEvents int64
}

// nullPoint is the log-likelihood of one theta and its derivative in
// ln(theta) (the score): positive when the data favour a larger theta.
type nullPoint struct{ theta, ll, score float64 }

func (p *nullPoint) add(x, y, share float64) {
	r := rho(p.theta, share)
	p.ll += term(x, r) + term(y, 1-r)
	p.score += x*(1-r) - y*r
}

// NewCountTest returns a test judged by cfg (Alpha and MinEffect).
func NewCountTest(cfg SequentialConfig) *CountTest {
	edge := 1 + cfg.MinEffect
	t := &CountTest{cfg: cfg, one: nullPoint{theta: 1}, edge: nullPoint{theta: edge},
		passW: restricted(func(th float64) bool { return th <= edge })}
	if w := cfg.Weight; w > 0 && w < 1 {
		// The router's weight counts as the requests shareDecay
		// remembers, until real ones replace them.
		t.recent = [2]float64{w / (1 - shareDecay), (1 - w) / (1 - shareDecay)}
	}
	return t
}

// Add counts one tick: the requests each side answered and the events
// (errors) among them. Ticks with no events change only the totals.
func (t *CountTest) Add(canaryN, canaryEvents, stableN, stableEvents int64) {
	t.CanaryN += canaryN
	t.StableN += stableN
	t.CanaryEvents += canaryEvents
	t.StableEvents += stableEvents
	d := math.Pow(shareDecay, float64(canaryN+stableN))
	t.recent[0] = t.recent[0]*d + float64(canaryN)
	t.recent[1] = t.recent[1]*d + float64(stableN)
	if canaryEvents+stableEvents == 0 || t.recent[0]+t.recent[1] == 0 {
		return
	}
	share := t.recent[0] / (t.recent[0] + t.recent[1])
	x, y := float64(canaryEvents), float64(stableEvents)
	for i := range t.ll {
		r := rho(grid.theta[i], share)
		t.ll[i] += term(x, r) + term(y, 1-r)
	}
	t.one.add(x, y, share)
	t.edge.add(x, y, share)
	t.logMixture = t.mixture(&grid.logW)
	t.logWorse = t.mixture(&worseW)
	t.logBetter = t.mixture(&t.passW)
}

func rho(theta, share float64) float64 { return theta * share / (theta*share + 1 - share) }

// term is k*ln(r), 0 when k is 0 (r may then be 0 as well).
func term(k, r float64) float64 {
	if k == 0 {
		return 0
	}
	return k * math.Log(r)
}

// mixture is the log of the likelihood of the mixture with log weights
// logW.
func (t *CountTest) mixture(logW *[gridN]float64) float64 {
	hi := math.Inf(-1)
	for i := range t.ll {
		hi = max(hi, logW[i]+t.ll[i])
	}
	var s float64
	for i := range t.ll {
		if !math.IsInf(logW[i], -1) {
			s += math.Exp(logW[i] + t.ll[i] - hi)
		}
	}
	return hi + math.Log(s)
}

// CountState is where a CountTest stands.
type CountState struct {
	// LogE is ln of the e-value against theta = 1 (no regression),
	// which decides a failure once it reaches LogBound = ln(1/Alpha);
	// LogPass is ln of the e-value against theta = 1+MinEffect, which
	// decides a pass once it reaches LogPassBound = ln(1/Beta). Each
	// decides only with the data on the right side of its theta.
	LogE, LogBound, LogPass, LogPassBound float64
	// Estimate is the ratio of the sides' event rates per request
	// (NaN without events); Lower and Upper bound theta at level
	// 1-Alpha, at any time (0 and +Inf when unbounded, to the grid's
	// resolution of 9%).
	Estimate, Lower, Upper float64
	Verdict                Verdict // Pass, Fail, or Pending while undecided
}

// State evaluates the test now: Fail once a regression is proven (theta
// > 1 at level Alpha) and the estimate is worse by more than MinEffect
// with the canary's rate above Floor; Pass once theta >= 1+MinEffect is
// ruled out at level Beta, or once the canary's own rate is proven at
// or below Floor at that level (RateUpper):
// rare events cannot rule out a relative regression soon, an absolute
// floor can; Pending otherwise.
func (t *CountTest) State() CountState {
	lm := t.logMixture
	s := CountState{LogE: t.logWorse - t.one.ll, LogBound: math.Log(1 / t.cfg.Alpha),
		LogPass: t.logBetter - t.edge.ll, LogPassBound: math.Log(1 / t.cfg.beta())}
	s.Estimate = rateRatio(t.CanaryEvents, t.CanaryN, t.StableEvents, t.StableN)
	s.Lower, s.Upper = math.Inf(1), 0
	for i := range t.ll {
		if lm-t.ll[i] < s.LogBound {
			s.Lower, s.Upper = min(s.Lower, grid.theta[i]), max(s.Upper, grid.theta[i])
		}
	}
	if s.Lower == grid.theta[0] {
		s.Lower = 0
	}
	if s.Upper == grid.theta[gridN-1] {
		s.Upper = math.Inf(1)
	}
	canaryRate := float64(t.CanaryEvents) / float64(max(t.CanaryN, 1))
	switch {
	case t.one.score > 0 && s.LogE >= s.LogBound && s.Estimate-1 > t.cfg.MinEffect && canaryRate > t.cfg.Floor:
		s.Verdict = Fail
	case t.edge.score < 0 && s.LogPass >= s.LogPassBound:
		s.Verdict = Pass
	case t.cfg.Floor > 0 && rateBelow(t.CanaryEvents, t.CanaryN, t.cfg.Floor, t.cfg.beta()):
		s.Verdict = Pass
	default:
		s.Verdict = Pending
	}
	return s
}

// rateRatio is (x/nx) / (y/ny): +Inf when only the canary had events,
// NaN when neither did.
func rateRatio(x, nx, y, ny int64) float64 {
	switch {
	case x == 0 && y == 0, nx == 0 || ny == 0:
		return math.NaN()
	case y == 0:
		return math.Inf(1)
	}
	return (float64(x) / float64(nx)) / (float64(y) / float64(ny))
}

// RateUpper returns an upper confidence sequence for the rate of events
// per trial after x events in n trials, at level 1-alpha, valid at every
// n at once: the largest p with BB(x; n, 1, k) / Bin(x; n, p) below
// 1/alpha (the beta-binomial mixture martingale, as in QuantileBounds),
// found by bisection. It is 1 without trials.
//
// The prior Beta(1, k) has its mean at a fifth of floor, the level the
// bound is compared with (k = 5/floor - 1): it is what a healthy service
// kept under that floor fails, and where the bound tightens soonest. At
// a floor of 1% and beta 0.2, no error in 193 requests passes (299 with
// the prior's mean at the floor itself; 161 is the least any test
// needs); one in 449 (527).
func RateUpper(x, n int64, floor, alpha float64) float64 {
	if n == 0 {
		return 1
	}
	bound := math.Log(1 / alpha)
	lo, hi := float64(x)/float64(n), 1.0 // rateLogE rises from its minimum at x/n towards p = 1
	for range 60 {
		mid := (lo + hi) / 2
		if rateLogE(x, n, floor, mid) < bound {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// rateBelow reports whether RateUpper(x, n, floor, alpha) <= floor, in
// one evaluation instead of a search: the bound is where rateLogE,
// rising on [x/n, 1], reaches ln(1/alpha).
func rateBelow(x, n int64, floor, alpha float64) bool {
	return n > 0 && float64(x)/float64(n) < floor && rateLogE(x, n, floor, floor) >= math.Log(1/alpha)
}

// rateLogE is ln of RateUpper's e-value against the rate p after x
// events in n trials: BB(x; n, 1, k) / Bin(x; n, p), k = 5/floor - 1
// (at least 1: a floor that is no error rate still gets a prior).
func rateLogE(x, n int64, floor, p float64) float64 {
	fx, fn, k := float64(x), float64(n), max(5/floor-1, 1)
	mix := lbeta(1+fx, k+fn-fx) - lbeta(1, k)
	return mix - fx*math.Log(p) - (fn-fx)*math.Log1p(-p)
}
