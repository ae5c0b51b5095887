package analysis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Provider measures one metric of a release: the router's own stats
// (router/metrics), a PromQL query (analysis/prometheus), a JSON field of
// an HTTP answer (analysis/httpjson). The rollout controller calls it once
// per metric per analysis interval and judges what it returns with
// Check or Compare.
//
// Measure returns an error when the metric could not be measured (the
// provider is down, the answer is malformed, the query is wrong): the
// controller judges that an Error, which counts against the
// consecutive-error limit and is never a pass. An Observation with Count
// 0 means the provider answered but saw no data (no traffic, an empty
// vector): not an error, not a pass; the analysis waits, up to its
// deadline.
type Provider interface {
	Measure(ctx context.Context, q Query) (Observation, error)
}

// Query says what to measure. Providers read the fields of their kind.
type Query struct {
	// Service is the service under analysis; Canary and Baseline are its
	// candidate and stable revisions.
	Service          string
	Canary, Baseline int
	// CanaryInstances and BaselineInstances, when CanaryInstances is not
	// empty, are what is compared instead of revisions: a config
	// delivery's instances on the new version and those on the old (the
	// router measures each side's instances taken together).
	CanaryInstances, BaselineInstances []string
	// Metric is the router provider's metric: successRate, latencyP50,
	// latencyP90, latencyP99 or requestRate.
	Metric string
	// PromQL is the prometheus provider's query, as written in the spec;
	// Expand fills {{canary}}, {{baseline}} and {{service}} in.
	PromQL string
	// URL and JSONPath are the http provider's: GET URL, read the number
	// at JSONPath ($.data.errors; "" takes the whole body).
	URL, JSONPath string
	// Window is the span a value covers: the last Window before now.
	Window time.Duration
	// Compare asks for samples of both sides (Observation.Canary and
	// Baseline, one per Step over Window) instead of one canary Value.
	Compare bool
	// Step is the span of one sample when Compare is set (default 1s).
	Step time.Duration
}

// Expand fills a query template's placeholders: {{canary}} and
// {{baseline}} become the revision numbers, {{service}} the service name,
// {{canaryInstances}} and {{baselineInstances}} the instance IDs of each
// side joined by '|' (for a PromQL =~ matcher).
func (q Query) Expand(template string) string {
	return strings.NewReplacer(
		"{{canary}}", strconv.Itoa(q.Canary),
		"{{baseline}}", strconv.Itoa(q.Baseline),
		"{{service}}", q.Service,
		"{{canaryInstances}}", strings.Join(q.CanaryInstances, "|"),
		"{{baselineInstances}}", strings.Join(q.BaselineInstances, "|"),
	).Replace(template)
}

// ForBaseline returns the query with the sides swapped, for a provider
// that measures the baseline with the canary's template.
func (q Query) ForBaseline() Query {
	q.Canary, q.Baseline = q.Baseline, q.Canary
	q.CanaryInstances, q.BaselineInstances = q.BaselineInstances, q.CanaryInstances
	return q
}

// Observation is what a provider saw.
type Observation struct {
	// Value is the canary's value, judged by a success condition.
	Value float64
	// Count is how much Value rests on (requests for the router, series
	// or points for Prometheus, 1 for an HTTP answer); 0 means no data.
	Count int
	// Canary and Baseline are the two sides' samples, for a comparison.
	Canary, Baseline []float64
}

// NoData reports whether the observation holds nothing to judge.
func (o Observation) NoData() bool {
	return o.Count == 0 && len(o.Canary) == 0 && len(o.Baseline) == 0
}

// ErrUnsupported is returned (wrapped) by a provider asked for something
// it cannot measure, e.g. a comparison from an HTTP check.
var ErrUnsupported = errors.New("not supported by this provider")
