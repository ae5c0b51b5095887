package rollout

import (
	"context"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// maxMeasureTime bounds one measurement: a provider that hangs costs
// the queue's worker at most this, and counts as an error.
const maxMeasureTime = 3 * time.Second

// measure takes the measurements that are due for a canary's analysis
// runs and records them in cn's runs, in place (Record): cn must be the
// pass's own copy. A provider's failure is a measurement
// (an error the analysis counts), not an error of the pass.
func (c *Controller) measure(ctx context.Context, svc store.Service, cn *store.Canary, sc *spec.Canary, now time.Time) {
	a := sc.Analysis
	if a == nil {
		return
	}
	who := analysis.Query{Service: svc.Name, Canary: cn.Revision, Baseline: cn.Stable}
	for _, run := range []*store.AnalysisRun{cn.Analysis, cn.StepAnalysis} {
		c.measureRun(ctx, run, a, who, float64(cn.Weight)/100, now)
	}
}

// measureRun takes a run's measurements when they are due and records
// them in run, in place (Record): the caller owns run. A sequential
// metric's judge runs on every tick (sequential): its measurement is
// recorded at the interval, and at once when the judge has decided.
// weight is the canary's share of traffic now, where a sequential
// judge's estimate of it starts.
func (c *Controller) measureRun(ctx context.Context, run *store.AnalysisRun, a *spec.Analysis, who analysis.Query, weight float64, now time.Time) {
	if run == nil || over(run) {
		return
	}
	due := !now.Before(run.NextAt)
	var seqs []spec.Metric // the run's metrics the sequential judges watch
	for _, mr := range run.Metrics {
		if m, ok := a.Metric(mr.Name); ok && m.Sequential() {
			seqs = append(seqs, m)
		}
	}
	ms := map[string]analysis.Measurement{}
	for _, mr := range run.Metrics {
		m, ok := a.Metric(mr.Name)
		switch {
		case !ok:
		case m.Sequential():
			k := seqKey{service: who.Service, canary: who.Canary, stable: who.Baseline, started: run.Started, step: run.Step}
			if sm, decided := c.seq.judge(k, m, seqs, weight, now); due || (decided && !recorded(mr, sm)) {
				ms[mr.Name] = sm
			}
		case due:
			ms[mr.Name] = c.measureOne(ctx, who, m, a.Interval.Duration, run.Started, now)
		}
	}
	if len(ms) == 0 {
		return
	}
	next := run.NextAt
	Record(run, a, ms, now)
	if !due { // a decision between intervals: the others keep their time
		run.NextAt = next
	}
}

// recorded reports whether a sequential decision is already the
// metric's last measurement: it is recorded once at once, then at the
// interval, or every pass would write it again.
func recorded(mr store.MetricRun, m analysis.Measurement) bool {
	if len(mr.Measurements) == 0 {
		return false
	}
	last := mr.Measurements[len(mr.Measurements)-1]
	return last.Verdict == m.Verdict && last.Stats[analysis.StatCrossedAt] == m.Stats[analysis.StatCrossedAt]
}

// measureOne asks the metric's provider and judges the answer. A
// comparison looks at everything since its run started (as far as the
// provider keeps), a condition at the last interval.
// who is the query's service and revisions; the rest comes from m.
func (c *Controller) measureOne(ctx context.Context, who analysis.Query, m spec.Metric, interval time.Duration, started, now time.Time) analysis.Measurement {
	p, ok := c.cfg.Providers[m.Provider]
	if !ok {
		return errorMeasurement(m.Name, fmt.Errorf("provider %q is not configured on this server", m.Provider))
	}
	q := who
	q.Metric, q.PromQL, q.URL, q.JSONPath = m.Metric, m.Query, m.URL, m.JSONPath
	q.Window, q.Compare, q.Step = interval, m.Compares(), time.Second
	if q.Compare {
		q.Window = max(now.Sub(started), interval)
	}
	ctx, cancel := context.WithTimeout(ctx, min(maxMeasureTime, interval))
	defer cancel()
	obs, err := p.Measure(ctx, q)
	if err != nil {
		return errorMeasurement(m.Name, err)
	}
	if q.Compare {
		return analysis.Compare(compareConfig(m), m.Name, obs.Canary, obs.Baseline)
	}
	if obs.NoData() {
		return analysis.Measurement{Metric: m.Name, Verdict: analysis.Inconclusive, NoData: true,
			Reason: fmt.Sprintf("%s: no data in the last %s: not enough data is not a pass", m.Name, interval)}
	}
	cond, err := c.condition(m.SuccessCondition)
	if err != nil {
		return errorMeasurement(m.Name, err)
	}
	out := analysis.Check(m.Name, cond, obs.Value)
	out.Samples = obs.Count
	return out
}

func errorMeasurement(metric string, err error) analysis.Measurement {
	return analysis.Measurement{Metric: metric, Verdict: analysis.Error, Reason: fmt.Sprintf("%s could not be measured: %v", metric, err)}
}

func compareConfig(m spec.Metric) analysis.CompareConfig {
	cfg := analysis.CompareConfig{Confidence: m.Confidence, MinEffect: m.MinEffect, AbsoluteFloor: m.Floor,
		MinSamples: m.MinSamples, HigherIsWorse: m.Better != spec.BetterHigher}
	if m.Provider == spec.ProviderRouter && m.Metric != "successRate" && m.Metric != "requestRate" {
		cfg.Unit = "s"
	}
	return cfg
}

// condition compiles a success condition once and caches it.
func (c *Controller) condition(expr string) (*analysis.Condition, error) {
	c.mu.Lock()
	cond, ok := c.conditions[expr]
	c.mu.Unlock()
	if ok {
		return cond, nil
	}
	cond, err := analysis.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("successCondition %q: %w", expr, err)
	}
	c.mu.Lock()
	c.conditions[expr] = cond
	c.mu.Unlock()
	return cond, nil
}

// MeasureRevision takes a run's measurements of one revision of a
// service when they are due, and records them in run, in place (Record:
// the caller owns run, e.g. the promotion it just read): a promotion's analysis
// gate judges the version running in the environment it comes from.
func (c *Controller) MeasureRevision(ctx context.Context, service string, revision int, a *spec.Analysis, run *store.AnalysisRun, now time.Time) {
	c.measureRun(ctx, run, a, analysis.Query{Service: service, Canary: revision, Baseline: revision}, 0, now)
}
