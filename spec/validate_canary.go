package spec

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// countSet counts the true values: how many of a set of exclusive
// fields are set.
func countSet(set ...bool) int {
	n := 0
	for _, s := range set {
		if s {
			n++
		}
	}
	return n
}

// stepRule says what a step may be, for errors.
const stepRule = "set exactly one of setWeight (0..100), pause (30s, or {} to wait for promotion), analysis ({}) or setHeaderRoute ({header: X-Canary, value: \"1\"})"

// canary checks a canary strategy and its analysis.
func (v *validator) canary(path string, c *Canary) {
	if c == nil {
		return
	}
	v.stickiness(path+".stickiness", c.Stickiness)
	if len(c.Steps) == 0 {
		v.addf(path+".steps", "at least one step is required, like [{setWeight: 10}, {pause: {}}]; without steps use rolling")
	}
	var metrics []string
	if c.Analysis != nil {
		for _, m := range c.Analysis.Metrics {
			metrics = append(metrics, m.Name)
		}
	}
	for i, s := range c.Steps {
		v.step(path+".steps["+strconv.Itoa(i)+"]", s, metrics)
	}
	v.analysis(path+".analysis", c.Analysis)
	v.nonNegative(path+".progressDeadline", c.ProgressDeadline)
}

func (v *validator) stickiness(path string, s *Stickiness) {
	if s == nil {
		return
	}
	if countSet(s.Cookie != "", s.Header != "") != 1 {
		v.addf(path, "set exactly one of cookie (a cookie name like slipway-canary) or header (like X-User-Id)")
	}
	if s.Cookie != "" && !validHeaderName(s.Cookie) {
		v.addf(path+".cookie", "invalid cookie name %q: letters, digits and - only", s.Cookie)
	}
	if s.Header != "" && !validHeaderName(s.Header) {
		v.addf(path+".header", "invalid header name %q: letters, digits and - only", s.Header)
	}
}

// step checks one canary step; metrics are the analysis's metric names.
func (v *validator) step(path string, s Step, metrics []string) {
	if s.kinds() != 1 {
		v.addf(path, "%s", stepRule)
		return
	}
	switch {
	case s.SetWeight != nil:
		if w := *s.SetWeight; w < 0 || w > 100 {
			v.addf(path+".setWeight", "must be 0..100 (a percentage of traffic), got %d", w)
		}
	case s.Pause != nil:
		if s.Pause.Duration.Duration < 0 {
			v.addf(path+".pause", "%s; got %s", pauseRule, s.Pause.Duration)
		}
	case s.Analysis != nil:
		v.stepAnalysis(path+".analysis", s.Analysis, metrics)
	case s.SetHeaderRoute != nil:
		if h := s.SetHeaderRoute.Header; !validHeaderName(h) {
			v.addf(path+".setHeaderRoute.header", "required: a header name like X-Canary (letters, digits and -); got %q", h)
		}
	}
}

func (v *validator) stepAnalysis(path string, a *StepAnalysis, metrics []string) {
	if a.Count < 0 {
		v.addf(path+".count", "must be at least 1 (passing measurements each metric needs), got %d", a.Count)
	}
	if len(metrics) == 0 {
		v.addf(path, "an analysis step needs metrics: add them under strategy.canary.analysis.metrics")
		return
	}
	for i, name := range a.Metrics {
		if !slices.Contains(metrics, name) {
			v.addf(path+".metrics["+strconv.Itoa(i)+"]", "unknown metric %q%s; metrics: %s",
				name, didYouMean(name, metrics), strings.Join(metrics, ", "))
		}
	}
}

// analysis checks the canary's analysis: its settings and each metric.
func (v *validator) analysis(path string, a *Analysis) {
	if a == nil {
		return
	}
	v.positive(path+".interval", a.Interval)
	v.nonNegative(path+".deadline", a.Deadline)
	v.limit(path+".failureLimit", a.FailureLimit)
	v.limit(path+".inconclusiveLimit", a.InconclusiveLimit)
	v.limit(path+".consecutiveErrorLimit", a.ConsecutiveErrorLimit)
	if len(a.Metrics) == 0 {
		v.addf(path+".metrics", "at least one metric is required, like [{name: success-rate, provider: router, metric: successRate, successCondition: result >= 0.99}]")
	}
	seen := map[string]int{}
	for i, m := range a.Metrics {
		mp := path + ".metrics[" + strconv.Itoa(i) + "]"
		if first, ok := seen[m.Name]; ok && m.Name != "" {
			v.addf(mp+".name", "metric %q is defined twice (first at metrics[%d])", m.Name, first)
		}
		seen[m.Name] = i
		v.metric(mp, m)
	}
}

func (v *validator) limit(path string, n *int) {
	if n != nil && *n < 0 {
		v.addf(path, "must be >= 0, got %d", *n)
	}
}

// metric checks one metric: its name, its provider's settings and how
// it is judged.
func (v *validator) metric(path string, m Metric) {
	switch {
	case m.Name == "":
		v.addf(path+".name", "required: a name like success-rate")
	case !isDNSLabel(m.Name):
		v.addf(path+".name", "invalid metric name %q: %s", m.Name, dnsLabelRule)
	}
	v.provider(path, m)
	v.judge(path, m)
}

// provider checks the provider and the settings it needs, and that no
// other provider's settings are written.
func (v *validator) provider(path string, m Metric) {
	for _, f := range []struct {
		name, owner string
		set         bool
	}{
		{"metric", ProviderRouter, m.Metric != ""},
		{"query", ProviderPrometheus, m.Query != ""},
		{"url", ProviderHTTP, m.URL != ""},
		{"jsonPath", ProviderHTTP, m.JSONPath != ""},
	} {
		if f.set && m.Provider != f.owner && slices.Contains(Providers(), m.Provider) {
			v.addf(path+"."+f.name, "only used with provider %s, not %s", f.owner, m.Provider)
		}
	}
	switch m.Provider {
	case ProviderRouter:
		if !slices.Contains(RouterMetrics(), m.Metric) {
			v.addf(path+".metric", "unknown router metric %q%s; valid: %s",
				m.Metric, didYouMean(m.Metric, RouterMetrics()), strings.Join(RouterMetrics(), ", "))
		}
	case ProviderPrometheus:
		if strings.TrimSpace(m.Query) == "" {
			v.addf(path+".query", "required for provider prometheus: a PromQL query")
		}
	case ProviderHTTP:
		v.httpMetric(path, m)
	case "":
		v.addf(path+".provider", "required: one of %s", strings.Join(Providers(), ", "))
	default:
		v.addf(path+".provider", "unknown provider %q%s; valid: %s",
			m.Provider, didYouMean(m.Provider, Providers()), strings.Join(Providers(), ", "))
	}
}

func (v *validator) httpMetric(path string, m Metric) {
	u, err := url.Parse(m.URL)
	if m.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.addf(path+".url", "required for provider http: an http:// or https:// URL; got %q", m.URL)
	}
	if m.JSONPath != "" && !strings.HasPrefix(m.JSONPath, "$") {
		v.addf(path+".jsonPath", "must start with $, like $.data.value; got %q", m.JSONPath)
	}
}

// judge checks how the metric is judged: a condition or a comparison.
func (v *validator) judge(path string, m Metric) {
	cond := m.SuccessCondition != "" || v.set(path+".successCondition")
	switch {
	case cond && m.Compare != "":
		v.addf(path, "set successCondition or compare, not both (use two metrics)")
	case !cond && m.Compare == "":
		v.addf(path, "set successCondition (like result >= 0.99) or compare: baseline")
	}
	if cond {
		v.expr(path+".successCondition", m.SuccessCondition)
	}
	if m.Compare != "" && m.Compare != CompareBaseline {
		v.addf(path+".compare", "must be %q (judge the canary against stable); got %q", CompareBaseline, m.Compare)
	}
	v.comparison(path, m)
}

// expr checks an expression with Options.CheckExpr, when set.
func (v *validator) expr(path, expr string) {
	if strings.TrimSpace(expr) == "" {
		v.addf(path, "must not be empty: an expression on result, like result >= 0.99")
		return
	}
	if v.opts.CheckExpr == nil {
		return
	}
	if err := v.opts.CheckExpr(expr); err != nil {
		v.addf(path, "does not compile: %v", err)
	}
}

// comparison checks the settings of compare: baseline, and that they
// are not written for a metric judged by a condition.
func (v *validator) comparison(path string, m Metric) {
	for _, f := range []struct {
		name, rule, got string
		bad             bool
	}{
		{"better", "must be lower or higher", strconv.Quote(m.Better), m.Better != "" && m.Better != BetterLower && m.Better != BetterHigher},
		{"confidence", "must be in (0, 1), like 0.95", fmt.Sprint(m.Confidence), m.Confidence < 0 || m.Confidence >= 1 || (m.Confidence == 0 && v.set(path+".confidence"))},
		{"minEffect", "must be >= 0 (a relative change: 0.5 is 50% worse)", fmt.Sprint(m.MinEffect), m.MinEffect < 0},
		{"floor", "must be >= 0 (an absolute change in the metric's unit)", fmt.Sprint(m.Floor), m.Floor < 0},
		{"minSamples", "must be >= 1", strconv.Itoa(m.MinSamples), m.MinSamples < 0 || (m.MinSamples == 0 && v.set(path+".minSamples"))},
		{"alpha", "must be in (0, 0.5], like 0.05 (the bound on false detections)", fmt.Sprint(m.Alpha),
			m.Alpha < 0 || m.Alpha > 0.5 || math.IsNaN(m.Alpha) || (m.Alpha == 0 && v.set(path+".alpha"))},
		{"beta", "must be in (0, 0.5], like 0.2 (the bound on passing a canary worse by minEffect)", fmt.Sprint(m.Beta),
			m.Beta < 0 || m.Beta > 0.5 || math.IsNaN(m.Beta) || (m.Beta == 0 && v.set(path+".beta"))},
		{"judge", "must be " + strings.Join(Judges(), " or "), strconv.Quote(m.Judge), m.Judge != "" && !slices.Contains(Judges(), m.Judge)},
	} {
		fp := path + "." + f.name
		switch {
		case f.bad:
			v.addf(fp, "%s; got %s", f.rule, f.got)
		case m.Compare == "" && v.set(fp):
			v.addf(fp, "only used with compare: baseline")
		}
	}
	if m.Judge == JudgeSequential && !m.SequentialFits() {
		v.addf(path+".judge", "sequential judges a count or a distribution the router keeps per revision "+
			"(provider router, metric successRate, latencyP50, latencyP90 or latencyP99), not %s; use judge: interval",
			describeMetric(m))
	}
	if m.Compare != "" && (m.Judge == JudgeInterval || (m.Judge == "" && m.defaultJudge() == JudgeInterval)) {
		if m.Alpha != 0 {
			v.addf(path+".alpha", "only used with judge: sequential (the interval judge uses confidence)")
		}
		if m.Beta != 0 {
			v.addf(path+".beta", "only used with judge: sequential (the interval judge passes on count measurements)")
		}
	}
}

// describeMetric names what a metric measures, for errors.
func describeMetric(m Metric) string {
	switch m.Provider {
	case ProviderRouter:
		return "router metric " + m.Metric
	case ProviderPrometheus:
		return "a Prometheus query (one number per step)"
	case ProviderHTTP:
		return "an HTTP JSON value (one number)"
	}
	return "provider " + strconv.Quote(m.Provider)
}
