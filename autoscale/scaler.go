package autoscale

import (
	"fmt"
	"math"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// Observation is one sample of a revision's load, taken by
// rollout.Autoscaler from the router (and the instances' cgroups).
type Observation struct {
	At time.Time
	// InFlight is the requests in flight over the revision's instances.
	InFlight float64
	// Requests is the requests the revision got since the router first
	// saw it, answered or in flight (it only grows but for an answer
	// cut short; a rate is a difference of two samples).
	Requests int64
	// CPU is the revision's CPU use, summed over its instances, in
	// percent of one core each (or of its resources.cpu).
	CPU float64
}

// Decision is the count a revision should run, and why.
type Decision struct {
	Replicas int
	Reason   string
}

// Scaler holds one revision's recent observations and recommendations.
// It is not safe for concurrent use: rollout.Autoscaler guards it.
type Scaler struct {
	p          Policy
	obs        []Observation // newest last; one older than the stable window is kept as a rate's base
	recs       []rec         // recommendations, newest last, for stabilization
	lastActive time.Time     // last sample with a request in flight or a new request
	panicSeen  time.Time     // last time the panic window asked for a burst's count
	panicking  bool
}

type rec struct {
	at time.Time
	n  int
}

// New returns a Scaler for p that counts the revision as active at now,
// so that a revision just deployed is not idle at once.
func New(p Policy, now time.Time) *Scaler { return &Scaler{p: p, lastActive: now} }

// Policy returns the scaler's policy.
func (s *Scaler) Policy() Policy { return s.p }

// Observe records a sample; samples must come in time order.
func (s *Scaler) Observe(o Observation) {
	if n := len(s.obs); o.InFlight > 0 || (n > 0 && o.Requests > s.obs[n-1].Requests) {
		s.lastActive = o.At
	}
	s.obs = append(s.obs, o)
	cut := o.At.Add(-s.p.stableWindow())
	i := 0
	for i+1 < len(s.obs) && !s.obs[i+1].At.After(cut) {
		i++
	}
	s.obs = s.obs[i:]
}

// Wake records that a request is waiting (the router holds it) and
// returns the decision to run one instance of a revision scaled to zero.
func (s *Scaler) Wake(now time.Time) Decision {
	s.lastActive = now
	s.recs = append(s.recs[:0], rec{now, max(1, s.p.Min)})
	return Decision{Replicas: max(1, s.p.Min), Reason: "a request arrived while scaled to zero"}
}

// Idle reports how long the revision has seen no request.
func (s *Scaler) Idle(now time.Time) time.Duration { return now.Sub(s.lastActive) }

// Decide returns the count the revision should run now, given the count
// it runs (current) and whether the service is at rest (no rollout:
// only then may it scale to zero). The result is within [min, max],
// except that a revision at rest and idle for IdleAfter with min 0 gets
// 0, and one at 0 stays there until Wake: a scaler made by a restarted
// server counts the revision active from its start, and must not start
// an instance nobody asked for.
func (s *Scaler) Decide(now time.Time, current int, atRest bool) Decision {
	p := s.p
	if p.Min == 0 && current == 0 {
		// Only a request wakes it (Wake): not a restarted server's
		// scaler, which counts the revision active from its start.
		return Decision{Replicas: 0, Reason: "scaled to zero"}
	}
	if p.Min == 0 && atRest && now.Sub(s.lastActive) >= p.IdleAfter {
		s.recs = s.recs[:0]
		return Decision{Replicas: 0, Reason: fmt.Sprintf("no request for %s: scaled to zero", dur(p.IdleAfter))}
	}
	stable, panicV := s.value(now, p.stableWindow()), s.value(now, p.panicWindow())
	want, wantPanic := s.count(stable), s.count(panicV)
	if float64(wantPanic) >= p.panicThreshold()*float64(max(current, 1)) && wantPanic > current {
		s.panicking, s.panicSeen = true, now
	} else if s.panicking && now.Sub(s.panicSeen) >= p.stableWindow() {
		s.panicking = false
	}
	floor := max(p.Min, 1)
	n := clamp(want, floor, p.Max)
	if s.panicking {
		n = clamp(max(wantPanic, current), floor, p.Max)
	}
	s.remember(now, n)
	switch {
	case current < floor:
		return Decision{Replicas: floor, Reason: fmt.Sprintf("%d instances under min %d", current, floor)}
	case current > p.Max:
		return Decision{Replicas: p.Max, Reason: fmt.Sprintf("%d instances over max %d", current, p.Max)}
	case s.panicking && n > current:
		return Decision{Replicas: n, Reason: fmt.Sprintf("burst: %s %s in the last %s over target %g x %d instances",
			p.Metric, num(panicV), dur(p.panicWindow()), p.Target, current)}
	case s.panicking:
		return Decision{Replicas: current, Reason: "burst: holding until it has been over for " + dur(p.stableWindow())}
	}
	if up := s.lowest(now, p.Up); up > current {
		return Decision{Replicas: up, Reason: fmt.Sprintf("%s %s over target %g x %d instances", p.Metric, num(stable), p.Target, current)}
	}
	if down := s.highest(now, p.Down); down < current {
		return Decision{Replicas: down, Reason: fmt.Sprintf("%s %s under target %g x %d instances for %s",
			p.Metric, num(stable), p.Target, current, dur(p.Down))}
	}
	return Decision{Replicas: current, Reason: ""}
}

// value is the metric over the window ending at now: the mean of the
// samples for concurrency and CPU, the rate between the oldest sample at
// or before the window's start (else the oldest in it) and the newest
// for RPS.
func (s *Scaler) value(now time.Time, window time.Duration) float64 {
	cut := now.Add(-window)
	first := len(s.obs)
	for first > 0 && s.obs[first-1].At.After(cut) {
		first--
	}
	if s.p.Metric == RPS {
		base := max(first-1, 0)
		if len(s.obs) < 2 || base == len(s.obs)-1 {
			return 0
		}
		a, b := s.obs[base], s.obs[len(s.obs)-1]
		dt := b.At.Sub(a.At).Seconds()
		if dt <= 0 {
			return 0
		}
		return float64(b.Requests-a.Requests) / dt
	}
	in := s.obs[first:]
	if len(in) == 0 {
		return 0
	}
	sum := 0.0
	for _, o := range in {
		if s.p.Metric == CPU {
			sum += o.CPU
		} else {
			sum += o.InFlight
		}
	}
	return sum / float64(len(in))
}

// count is the instances a load needs at the target.
func (s *Scaler) count(v float64) int {
	if s.p.Target <= 0 {
		return 0
	}
	return int(math.Ceil(v/s.p.Target - 1e-9))
}

// remember records a recommendation and forgets those older than both
// stabilization windows, keeping the one in force when the longer
// window began.
func (s *Scaler) remember(now time.Time, n int) {
	s.recs = append(s.recs, rec{now, n})
	keep := now.Add(-max(s.p.Up, s.p.Down))
	i := 0
	for i+1 < len(s.recs) && !s.recs[i+1].at.After(keep) {
		i++
	}
	s.recs = s.recs[i:]
}

// lowest is the lowest recommendation in force over the last w (the
// newest when w is 0): a higher count is applied once it has been wanted
// for all of w. A scaler that has not seen w yet (it started or woke
// less than w ago) keeps its count.
func (s *Scaler) lowest(now time.Time, w time.Duration) int {
	in, ok := s.window(now, w)
	if !ok {
		return math.MinInt
	}
	n := math.MaxInt
	for _, r := range in {
		n = min(n, r.n)
	}
	return n
}

// highest is the highest recommendation in force over the last w.
func (s *Scaler) highest(now time.Time, w time.Duration) int {
	in, ok := s.window(now, w)
	if !ok {
		return math.MaxInt
	}
	n := math.MinInt
	for _, r := range in {
		n = max(n, r.n)
	}
	return n
}

// window returns the recommendations in force over the last w: the one
// at or before its start, and every later one; false when none is that
// old.
func (s *Scaler) window(now time.Time, w time.Duration) ([]rec, bool) {
	start := now.Add(-w)
	i := -1
	for j, r := range s.recs {
		if !r.at.After(start) {
			i = j
		}
	}
	if i < 0 {
		return nil, false
	}
	return s.recs[i:], true
}

// dur formats a duration as the spec writes it ("2m", not "2m0s").
func dur(d time.Duration) string { return spec.Duration{Duration: d}.String() }

func clamp(n, lo, hi int) int { return max(lo, min(n, hi)) }

// num formats a metric value for a reason: whole when it is.
func num(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}
