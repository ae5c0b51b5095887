package spec

import "time"

// Defaults for what a spec leaves out. A zero duration or threshold means
// "not set", so it is replaced by its default too.
const (
	DefaultInstances         = 1
	DefaultReadinessInterval = time.Second
	DefaultLivenessInterval  = 5 * time.Second
	DefaultProbeTimeout      = time.Second
	DefaultFailureThreshold  = 3
	DefaultSuccessThreshold  = 1
	DefaultMaxSurge          = 1
	DefaultMaxUnavailable    = 0
	DefaultProgressDeadline  = 2 * time.Minute
	DefaultStopGrace         = 10 * time.Second
	DefaultRoutePath         = "/"
	DefaultPreviewHeader     = "X-Slipway-Preview"
	DefaultRouteTimeout      = 60 * time.Second
	DefaultMaxBody           = 10 << 20
	DefaultDrainTimeout      = 30 * time.Second
	DefaultScaleDownDelay    = 5 * time.Minute

	DefaultAnalysisInterval      = 5 * time.Second
	DefaultFailureLimit          = 0
	DefaultInconclusiveLimit     = 1
	DefaultConsecutiveErrorLimit = 4
	DefaultAnalysisDeadline      = 5 * time.Minute
	DefaultStepAnalysisCount     = 3
	DefaultConfidence            = 0.95
	DefaultMinEffect             = 0.5
	DefaultMinSamples            = 10
	DefaultAlpha                 = 0.05
	// DefaultBeta is the sequential judge's pass side: the chance of
	// passing a canary worse by minEffect (or over its floor) is at
	// most 20% (80% power, the usual design), against 5% for failing a
	// good one, so that a good canary passes in about half the time.
	DefaultBeta = 0.2
	// DefaultErrorFloor is the sequential judge's floor on successRate:
	// an error rate of 1%. Rare errors cannot prove that a canary is no
	// more than minEffect worse than stable (with none, nothing can), but
	// a canary whose error rate is proven under 1% passes, and one under
	// it never fails.
	DefaultErrorFloor = 0.01

	DefaultTestsTimeout      = 10 * time.Minute
	DefaultGateAnalysisCount = 3
)

// ApplyDefaults fills in every service's, flag's and environment's
// defaults and sets each Service.Name, Flag.Key, Segment.Name and
// Environment.Name from its key. It is idempotent.
func (a *App) ApplyDefaults() {
	for name, s := range a.Services {
		if s == nil {
			continue
		}
		s.Name = name
		s.ApplyDefaults()
	}
	a.applyFlagDefaults()
	for _, c := range a.Configs {
		if c != nil {
			c.applyDefaults()
		}
	}
	a.applyEnvironmentDefaults()
}

// ApplyDefaults sets every field the spec left out to its effective
// value. Probes that are not written stay nil: no check is configured.
// It is idempotent.
func (s *Service) ApplyDefaults() {
	if s.Scale != nil {
		s.Scale.applyDefaults()
		if s.Instances == nil {
			s.Instances = ptr(max(s.Scale.Min, 1)) // a new revision proves it can start
		}
	}
	if s.Instances == nil {
		s.Instances = ptr(DefaultInstances)
	}
	s.Health.Readiness.applyDefaults(DefaultReadinessInterval)
	s.Health.Liveness.applyDefaults(DefaultLivenessInterval)
	if s.Route.HasHost() && s.Route.Path == "" {
		s.Route.Path = DefaultRoutePath
	}
	orDefault(&s.Route.Timeout, DefaultRouteTimeout)
	orDefault(&s.Route.DrainTimeout, DefaultDrainTimeout)
	if s.Route.MaxBody == 0 {
		s.Route.MaxBody = DefaultMaxBody
	}
	switch {
	case s.Strategy.Canary != nil:
		s.Strategy.Canary.applyDefaults()
	case s.Strategy.BlueGreen != nil:
		s.Strategy.BlueGreen.applyDefaults()
	case s.Strategy.ParallelRun != nil:
		s.Strategy.ParallelRun.applyDefaults()
	default:
		if s.Strategy.Rolling == nil {
			s.Strategy.Rolling = &Rolling{}
		}
		s.Strategy.Rolling.applyDefaults()
	}
	orDefault(&s.StopGrace, DefaultStopGrace)
}

func (p *Probe) applyDefaults(interval time.Duration) {
	if p == nil {
		return
	}
	orDefault(&p.Interval, interval)
	orDefault(&p.Timeout, DefaultProbeTimeout)
	if p.FailureThreshold == 0 {
		p.FailureThreshold = DefaultFailureThreshold
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = DefaultSuccessThreshold
	}
}

func (r *Rolling) applyDefaults() {
	if r.MaxSurge == nil {
		r.MaxSurge = ptr(DefaultMaxSurge)
	}
	if r.MaxUnavailable == nil {
		r.MaxUnavailable = ptr(DefaultMaxUnavailable)
	}
	orDefault(&r.ProgressDeadline, DefaultProgressDeadline)
}

func (b *BlueGreen) applyDefaults() {
	if b.PreviewHeader == "" {
		b.PreviewHeader = DefaultPreviewHeader
	}
	orDefault(&b.ScaleDownDelay, DefaultScaleDownDelay)
	orDefault(&b.ProgressDeadline, DefaultProgressDeadline)
}

// ProgressDeadline returns how long a rollout of the service may take to
// become ready, whatever its strategy.
func (s *Service) ProgressDeadline() time.Duration {
	switch {
	case s.Strategy.Canary != nil && s.Strategy.Canary.ProgressDeadline.Duration > 0:
		return s.Strategy.Canary.ProgressDeadline.Duration
	case s.Strategy.BlueGreen != nil && s.Strategy.BlueGreen.ProgressDeadline.Duration > 0:
		return s.Strategy.BlueGreen.ProgressDeadline.Duration
	case s.Strategy.ParallelRun != nil && s.Strategy.ParallelRun.ProgressDeadline.Duration > 0:
		return s.Strategy.ParallelRun.ProgressDeadline.Duration
	case s.Strategy.Rolling != nil && s.Strategy.Rolling.ProgressDeadline.Duration > 0:
		return s.Strategy.Rolling.ProgressDeadline.Duration
	}
	return DefaultProgressDeadline
}

// orDefault sets a zero duration to def.
func orDefault(d *Duration, def time.Duration) {
	if d.Duration == 0 {
		d.Duration = def
	}
}

func ptr[T any](v T) *T { return &v }

func (c *Canary) applyDefaults() {
	orDefault(&c.ProgressDeadline, DefaultProgressDeadline)
	for _, st := range c.Steps {
		if st.Analysis != nil && st.Analysis.Count == 0 {
			st.Analysis.Count = DefaultStepAnalysisCount
		}
	}
	if a := c.Analysis; a != nil {
		a.applyDefaults()
	}
}

func (a *Analysis) applyDefaults() {
	orDefault(&a.Interval, DefaultAnalysisInterval)
	orDefault(&a.Deadline, DefaultAnalysisDeadline)
	if a.FailureLimit == nil {
		a.FailureLimit = ptr(DefaultFailureLimit)
	}
	if a.InconclusiveLimit == nil {
		a.InconclusiveLimit = ptr(DefaultInconclusiveLimit)
	}
	if a.ConsecutiveErrorLimit == nil {
		a.ConsecutiveErrorLimit = ptr(DefaultConsecutiveErrorLimit)
	}
	for i := range a.Metrics {
		a.Metrics[i].applyDefaults()
	}
}

// applyDefaults fills in a comparison's settings; a metric judged by a
// condition keeps them zero, as they do not apply to it.
func (m *Metric) applyDefaults() {
	if !m.Compares() {
		return
	}
	if m.Better == "" {
		m.Better = BetterLower
		if m.Provider == ProviderRouter && (m.Metric == "successRate" || m.Metric == "requestRate") {
			m.Better = BetterHigher
		}
	}
	if m.Confidence == 0 {
		m.Confidence = DefaultConfidence
	}
	if m.MinEffect == 0 {
		m.MinEffect = DefaultMinEffect
	}
	if m.MinSamples == 0 {
		m.MinSamples = DefaultMinSamples
	}
	if m.Judge != JudgeSequential {
		return
	}
	if m.Alpha == 0 {
		m.Alpha = DefaultAlpha
	}
	if m.Beta == 0 {
		m.Beta = DefaultBeta
	}
	if m.Floor == 0 && m.Metric == "successRate" {
		m.Floor = DefaultErrorFloor
	}
}

// applyParseDefaults fills in what only a spec being parsed gets, never
// a stored one that ApplyDefaults brings up to date: a comparison's
// judge. A revision stored before judges existed has none and keeps the
// interval judge it was created with; a spec parsed now gets the
// sequential judge where it fits. The new field shows in plan.
func (a *App) applyParseDefaults() {
	for _, s := range a.Services {
		if s == nil || s.Strategy.Canary == nil || s.Strategy.Canary.Analysis == nil {
			continue
		}
		ms := s.Strategy.Canary.Analysis.Metrics
		for i := range ms {
			if ms[i].Compares() && ms[i].Judge == "" {
				ms[i].Judge = ms[i].defaultJudge()
				ms[i].applyDefaults() // alpha, for the judge just chosen
			}
		}
	}
}

// defaultJudge is the judge a comparison written now gets.
func (m Metric) defaultJudge() string {
	if m.SequentialFits() {
		return JudgeSequential
	}
	return JudgeInterval
}
