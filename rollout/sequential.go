package rollout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
)

// SequentialTick is how often the sequential judges read the router's
// counts: often enough that a decision waits a tenth of a second for
// the judge, far less than the analysis interval it replaces.
const SequentialTick = 100 * time.Millisecond

// Counter gives what each revision answered since the router first saw
// it (router/metrics.Metrics): the sequential judges' observations.
type Counter interface {
	// Totals writes a revision's cumulative counts into out, reusing
	// out.Latency.
	Totals(service string, revision int, out *analysis.Totals)
	// LatencyUpper is the upper edge of each latency bin, in seconds.
	LatencyUpper() []float64
	// Errors receives a value after errors were counted (coalesced):
	// the judges look at once, since an error is what decides a
	// failing canary, instead of on the next tick.
	Errors() <-chan struct{}
}

// sequential runs the sequential judges of the analysis runs in flight
// on every tick, apart from the controller's passes: a pass asks for a
// run's measurements (judge), which starts watching it; Tick feeds each
// watched run the counts since the last tick and, when a judge decides,
// enqueues the service so that a pass applies the decision at once. A
// run no pass asked for in a while (it ended, the server moved on) is
// dropped. The state lives in memory: after a restart a run's judges
// start again from the counts of that moment.
type sequential struct {
	counts  Counter
	enqueue func(queue.Key, time.Duration)
	upper   []float64

	mu   sync.Mutex // guards runs
	runs map[seqKey]*seqRun
}

// seqKey names one analysis run of one canary.
type seqKey struct {
	service        string
	canary, stable int
	started        time.Time
	step           int
}

// seqRun is the judges of one run and the counts they have seen.
type seqRun struct {
	metrics     []*seqMetric
	asked       time.Time // the last pass that asked: a run not asked for dropIdle is dropped
	start, prev [2]analysis.Totals
	cur         [2]analysis.Totals // read on each tick; kept to reuse its buffers
	delta       [2][]int64         // the latency since start, per side
}

// seqMetric is one metric's judge and its latest measurement.
type seqMetric struct {
	spec      spec.Metric
	counts    *analysis.CountTest    // successRate's errors; nil for a latency
	quantile  *analysis.QuantileTest // a latency's quantile
	last      analysis.Measurement
	decided   analysis.Verdict // Pass or Fail since crossedAt, else Pending
	crossedAt time.Time        // when the statistic crossed into decided
}

// dropIdle is how long a run is watched without a pass asking for it.
const dropIdle = time.Minute

func newSequential(counts Counter, enqueue func(queue.Key, time.Duration)) *sequential {
	s := &sequential{counts: counts, enqueue: enqueue, runs: map[seqKey]*seqRun{}}
	if counts != nil {
		s.upper = counts.LatencyUpper()
	}
	return s
}

// judge returns the latest measurement of m, one of the sequential
// metrics ms of a run, starting to watch the run on the first ask;
// decided says whether the judge reached a verdict (a pass records it at
// once, not at the next interval).
func (s *sequential) judge(k seqKey, m spec.Metric, ms []spec.Metric, weight float64, now time.Time) (analysis.Measurement, bool) {
	if s.counts == nil {
		return errorMeasurement(m.Name, fmt.Errorf("the sequential judge needs the router's counts, which this server does not keep")), true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	run := s.runs[k]
	if run == nil {
		run = s.watch(k, ms, weight)
		s.runs[k] = run
	}
	run.asked = now
	for _, sm := range run.metrics {
		if sm.spec.Name == m.Name {
			return sm.last.Clone(), sm.last.Verdict == analysis.Pass || sm.last.Verdict == analysis.Fail
		}
	}
	return errorMeasurement(m.Name, fmt.Errorf("not a sequential metric of this run")), true
}

// watch starts the judges of a run's sequential metrics ms from the
// counts of now, the canary's share of traffic at weight.
func (s *sequential) watch(k seqKey, ms []spec.Metric, weight float64) *seqRun {
	run := &seqRun{}
	for i, rev := range []int{k.canary, k.stable} {
		s.counts.Totals(k.service, rev, &run.start[i])
		s.counts.Totals(k.service, rev, &run.prev[i])
		run.delta[i] = make([]int64, len(s.upper))
	}
	for _, m := range ms {
		sm := &seqMetric{spec: m}
		cfg := sequentialConfig(m)
		cfg.Weight = weight
		if q, ok := latencyQuantile(m.Metric); ok {
			sm.quantile = analysis.NewQuantileTest(cfg, q)
		} else {
			sm.counts = analysis.NewCountTest(cfg)
		}
		sm.last = analysis.Measurement{Metric: m.Name, Verdict: analysis.Inconclusive, NoData: true,
			Reason: m.Name + ": no request judged yet, collecting"}
		run.metrics = append(run.metrics, sm)
	}
	return run
}

// Tick feeds every watched run the counts since the last tick and
// enqueues the service of a run whose judge just decided. It drops runs
// no pass asked for within dropIdle.
func (s *sequential) Tick(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, run := range s.runs {
		if now.Sub(run.asked) > dropIdle {
			delete(s.runs, k)
			continue
		}
		if s.step(k, run, now) {
			s.enqueue(queue.ServiceKey(k.service), 0)
		}
	}
}

// step judges one run on the counts of now; it reports whether a
// metric has just decided (its verdict became Pass or Fail).
func (s *sequential) step(k seqKey, run *seqRun, now time.Time) bool {
	for i, rev := range []int{k.canary, k.stable} {
		s.counts.Totals(k.service, rev, &run.cur[i])
	}
	c, b := &run.cur[0], &run.cur[1]
	pc, pb := &run.prev[0], &run.prev[1]
	for i := range run.delta {
		for j := range run.delta[i] {
			run.delta[i][j] = run.cur[i].Latency[j] - run.start[i].Latency[j]
		}
	}
	decided := false
	for _, sm := range run.metrics {
		if sm.counts != nil {
			sm.counts.Add(c.Requests-pc.Requests, c.Errors-pc.Errors, b.Requests-pb.Requests, b.Errors-pb.Errors)
			sm.last = sm.counts.Measure(sm.spec.Name)
		} else {
			sm.last = sm.quantile.Measure(sm.spec.Name, run.delta[0], run.delta[1], s.upper)
		}
		v := sm.last.Verdict
		if v != analysis.Pass && v != analysis.Fail {
			sm.decided = analysis.Pending
			continue
		}
		if v != sm.decided {
			sm.decided, sm.crossedAt, decided = v, now, true
		}
		sm.last.Stats[analysis.StatCrossedAt] = float64(sm.crossedAt.UnixMilli()) / 1000
	}
	for i := range run.prev {
		run.prev[i].Requests, run.prev[i].Errors = run.cur[i].Requests, run.cur[i].Errors
	}
	return decided
}

// reactGap is the least time between two looks prompted by errors: a
// service failing thousands of requests a second costs the judges at
// most one look per gap, and an error waits at most this long.
const reactGap = 5 * time.Millisecond

// Run ticks every SequentialTick, and after errors were counted, until
// ctx ends, reading now from clock.
func (s *sequential) Run(ctx context.Context, now func() time.Time) {
	t := time.NewTicker(SequentialTick)
	defer t.Stop()
	errs := s.counts.Errors()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-errs:
			if !sleep(ctx, reactGap-time.Since(last)) {
				return
			}
		}
		last = time.Now()
		s.Tick(now())
	}
}

// sleep waits d (nothing when d <= 0); false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// RunSequential runs the sequential judges until ctx ends (a loop of
// Tick on a SequentialTick ticker and on the Counter's errors). It
// returns at once without a Counter.
func (c *Controller) RunSequential(ctx context.Context) {
	if c.cfg.Counts == nil {
		return
	}
	c.seq.Run(ctx, c.cfg.Clock.Now)
}

// latencyQuantile is the quantile a router latency metric names.
func latencyQuantile(metric string) (float64, bool) {
	switch metric {
	case "latencyP50":
		return 0.5, true
	case "latencyP90":
		return 0.9, true
	case "latencyP99":
		return 0.99, true
	}
	return 0, false
}

func sequentialConfig(m spec.Metric) analysis.SequentialConfig {
	cfg := analysis.SequentialConfig{Alpha: m.Alpha, Beta: m.Beta, MinEffect: m.MinEffect, Floor: m.Floor}
	if _, ok := latencyQuantile(m.Metric); ok {
		cfg.Unit = "s"
	}
	return cfg
}
