package spec

// Analysis is how a canary is judged: metrics measured every Interval,
// each judged by a condition on its value or by comparison with the
// stable revision (the baseline), with limits on failed, inconclusive
// and errored measurements.
type Analysis struct {
	// Interval between measurements (default 5s).
	Interval Duration `yaml:"interval,omitempty" json:"interval"`
	// Metrics are measured and judged; at least one is required.
	Metrics []Metric `yaml:"metrics,omitempty" json:"metrics,omitempty"`
	// FailureLimit is how many failed measurements are tolerated; one
	// more fails the analysis (default 0: the first failure).
	FailureLimit *int `yaml:"failureLimit,omitempty" json:"failureLimit"`
	// InconclusiveLimit is how many inconclusive measurements are
	// tolerated before the analysis is inconclusive, which pauses the
	// rollout for a human (default 1).
	InconclusiveLimit *int `yaml:"inconclusiveLimit,omitempty" json:"inconclusiveLimit"`
	// ConsecutiveErrorLimit is how many measurements in a row may fail to
	// be taken (a provider down) before the analysis fails; an error is
	// never a pass (default 4).
	ConsecutiveErrorLimit *int `yaml:"consecutiveErrorLimit,omitempty" json:"consecutiveErrorLimit"`
	// Deadline bounds how long the analysis may wait for enough samples
	// to judge; past it, not enough data fails the analysis (default 5m).
	Deadline Duration `yaml:"deadline,omitempty" json:"deadline"`
}

// The metric providers.
const (
	ProviderRouter     = "router"     // the router's own per-revision stats
	ProviderPrometheus = "prometheus" // a PromQL query over Prometheus's HTTP API
	ProviderHTTP       = "http"       // a JSON field of an HTTP response
)

// Providers lists the metric providers, for errors and docs.
func Providers() []string { return []string{ProviderRouter, ProviderPrometheus, ProviderHTTP} }

// RouterMetrics lists the metrics the router provider measures, per
// revision: successRate is the ratio of non-5xx responses (0..1),
// latencies are in seconds, requestRate is in requests per second.
func RouterMetrics() []string {
	return []string{"successRate", "latencyP50", "latencyP90", "latencyP99", "requestRate"}
}

// CompareBaseline is the one comparison: canary against stable.
const CompareBaseline = "baseline"

// Which way a metric is better, for a comparison.
const (
	BetterLower  = "lower"
	BetterHigher = "higher"
)

// Metric is one measurement and how it is judged. Exactly one of
// SuccessCondition and Compare is set.
type Metric struct {
	// Name identifies the metric in verdicts; a DNS label, unique in the
	// analysis.
	Name string `yaml:"name" json:"name"`
	// Provider measures it: router, prometheus or http.
	Provider string `yaml:"provider" json:"provider"`
	// Metric is the router provider's metric: successRate, latencyP50,
	// latencyP90, latencyP99 or requestRate.
	Metric string `yaml:"metric,omitempty" json:"metric,omitempty"`
	// Query is the prometheus provider's PromQL. {{canary}} and
	// {{baseline}} expand to the revisions' labels.
	Query string `yaml:"query,omitempty" json:"query,omitempty"`
	// URL is the http provider's address, called with GET.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// JSONPath picks the http response's field ($.data.errors); empty
	// takes the whole body as a number.
	JSONPath string `yaml:"jsonPath,omitempty" json:"jsonPath,omitempty"`
	// SuccessCondition is an expression on the measured value, named
	// result, that is true when the canary is good (result >= 0.99).
	SuccessCondition string `yaml:"successCondition,omitempty" json:"successCondition,omitempty"`
	// Compare is "baseline" to judge the canary against the stable
	// revision, with the judge Judge names.
	Compare string `yaml:"compare,omitempty" json:"compare,omitempty"`
	// Judge is how a comparison decides: sequential (an anytime-valid
	// test run on every tick of the router's counts; the default for the
	// router's successRate and latencies) or interval (a Mann-Whitney U
	// test of per-second samples, every Interval; the default elsewhere).
	// A revision stored before judges existed has none: interval.
	Judge string `yaml:"judge,omitempty" json:"judge,omitempty"`
	// Alpha bounds the probability that the sequential judge fails a
	// canary no worse than stable, however long it watches; in (0, 0.5]
	// (default 0.05).
	Alpha float64 `yaml:"alpha,omitempty" json:"alpha,omitempty"`
	// Beta bounds the probability that the sequential judge passes a
	// canary worse than stable by MinEffect (or over Floor), however
	// long it watches; in (0, 0.5] (default 0.2). Lower asks for more
	// evidence before a good canary moves on, so it passes later.
	Beta float64 `yaml:"beta,omitempty" json:"beta,omitempty"`
	// Better says which way the metric improves, for Compare: lower or
	// higher (default higher for successRate and requestRate, lower
	// otherwise).
	Better string `yaml:"better,omitempty" json:"better,omitempty"`
	// Confidence is the level at which a comparison's difference counts
	// as real, in (0, 1) (default 0.95).
	Confidence float64 `yaml:"confidence,omitempty" json:"confidence,omitempty"`
	// MinEffect is the smallest relative change of the canary's median
	// from the baseline's, in the worse direction, that fails (default
	// 0.5: 50% worse).
	MinEffect float64 `yaml:"minEffect,omitempty" json:"minEffect,omitempty"`
	// Floor is an absolute change, in the metric's unit, that a worse
	// canary must also exceed to fail, so that 5ms -> 10ms can pass with
	// floor 0.02 (default 0: no floor). For the sequential judge it is a
	// level: an error rate for successRate (default 0.01), seconds for a
	// latency (default 0); a canary at or below it never fails, and one
	// proven at or below it passes.
	Floor float64 `yaml:"floor,omitempty" json:"floor,omitempty"`
	// MinSamples is how many samples each side needs before a comparison
	// judges; fewer keeps the analysis waiting (default 10).
	MinSamples int `yaml:"minSamples,omitempty" json:"minSamples,omitempty"`
}

// Compares reports whether the metric is judged against the baseline.
func (m Metric) Compares() bool { return m.Compare == CompareBaseline }

// The judges of a comparison.
const (
	JudgeSequential = "sequential"
	JudgeInterval   = "interval"
)

// Judges lists the judges of a comparison, for errors and docs.
func Judges() []string { return []string{JudgeSequential, JudgeInterval} }

// Sequential reports whether the metric is judged by the sequential
// judge. An empty Judge is interval: what a revision stored before
// judges existed was created with (Parse writes the default in).
func (m Metric) Sequential() bool { return m.Compares() && m.Judge == JudgeSequential }

// SequentialFits reports whether the sequential judge can judge the
// metric: a count or a distribution the router keeps per revision
// (successRate's errors, the latency quantiles), not a single number
// (a Prometheus query, an HTTP value) or the request rate, which the
// traffic split sets.
func (m Metric) SequentialFits() bool {
	if m.Provider != ProviderRouter {
		return false
	}
	switch m.Metric {
	case "successRate", "latencyP50", "latencyP90", "latencyP99":
		return true
	}
	return false
}

// Metric returns the metric named name; ok is false when there is none
// (or no analysis).
func (a *Analysis) Metric(name string) (m Metric, ok bool) {
	if a == nil {
		return Metric{}, false
	}
	for _, m := range a.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

func (a *Analysis) clone() *Analysis {
	if a == nil {
		return nil
	}
	c := *a
	c.Metrics = append([]Metric(nil), a.Metrics...)
	c.FailureLimit = clonePtr(a.FailureLimit)
	c.InconclusiveLimit = clonePtr(a.InconclusiveLimit)
	c.ConsecutiveErrorLimit = clonePtr(a.ConsecutiveErrorLimit)
	return &c
}

// Defaults fills in an analysis built outside a spec (a promotion's
// analysis gate) as Parse would.
func (a *Analysis) Defaults() { a.applyDefaults() }
