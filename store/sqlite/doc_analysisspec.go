package sqlite

import "github.com/slipway-dev/slipway/spec"

// analysisSpecDoc is an analysis as the spec declares it (spec.Analysis):
// a canary's, a progressive flag release's.
type analysisSpecDoc struct {
	Interval              durationDoc     `json:"interval"`
	Metrics               []metricSpecDoc `json:"metrics,omitempty"`
	FailureLimit          *int            `json:"failureLimit"`
	InconclusiveLimit     *int            `json:"inconclusiveLimit"`
	ConsecutiveErrorLimit *int            `json:"consecutiveErrorLimit"`
	Deadline              durationDoc     `json:"deadline"`
}

// metricSpecDoc is one metric of an analysis (spec.Metric): where it is
// read and how it is judged.
type metricSpecDoc struct {
	Name             string `json:"name"`
	Provider         string `json:"provider"`
	Metric           string `json:"metric,omitempty"`
	Query            string `json:"query,omitempty"`
	URL              string `json:"url,omitempty"`
	JSONPath         string `json:"jsonPath,omitempty"`
	SuccessCondition string `json:"successCondition,omitempty"`
	Compare          string `json:"compare,omitempty"`
	// Judge and Alpha came with the sequential judge (issue 19): a
	// metric stored before has neither, and is judged by interval.
	Judge string  `json:"judge,omitempty"`
	Alpha float64 `json:"alpha,omitempty"`
	// Beta came after (the sequential judge's pass side): stored
	// without it, a metric gets the default when it is read, as Alpha.
	Beta       float64 `json:"beta,omitempty"`
	Better     string  `json:"better,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	MinEffect  float64 `json:"minEffect,omitempty"`
	Floor      float64 `json:"floor,omitempty"`
	MinSamples int     `json:"minSamples,omitempty"`
}

func toAnalysisSpecDoc(a spec.Analysis) analysisSpecDoc {
	return analysisSpecDoc{
		Interval: toDurationDoc(a.Interval), Metrics: each(a.Metrics, toMetricSpecDoc),
		FailureLimit: a.FailureLimit, InconclusiveLimit: a.InconclusiveLimit,
		ConsecutiveErrorLimit: a.ConsecutiveErrorLimit, Deadline: toDurationDoc(a.Deadline),
	}
}

func fromAnalysisSpecDoc(d analysisSpecDoc) spec.Analysis {
	return spec.Analysis{
		Interval: fromDurationDoc(d.Interval), Metrics: each(d.Metrics, fromMetricSpecDoc),
		FailureLimit: d.FailureLimit, InconclusiveLimit: d.InconclusiveLimit,
		ConsecutiveErrorLimit: d.ConsecutiveErrorLimit, Deadline: fromDurationDoc(d.Deadline),
	}
}

// toMetricSpecDoc and fromMetricSpecDoc name every field: a conversion
// between the two struct types would compile only while their fields
// match, and would hide which one changed.
func toMetricSpecDoc(m spec.Metric) metricSpecDoc {
	return metricSpecDoc{
		Name: m.Name, Provider: m.Provider, Metric: m.Metric, Query: m.Query, URL: m.URL,
		JSONPath: m.JSONPath, SuccessCondition: m.SuccessCondition, Compare: m.Compare,
		Judge: m.Judge, Alpha: m.Alpha, Beta: m.Beta, Better: m.Better, Confidence: m.Confidence, MinEffect: m.MinEffect, Floor: m.Floor,
		MinSamples: m.MinSamples,
	}
}

func fromMetricSpecDoc(d metricSpecDoc) spec.Metric {
	return spec.Metric{
		Name: d.Name, Provider: d.Provider, Metric: d.Metric, Query: d.Query, URL: d.URL,
		JSONPath: d.JSONPath, SuccessCondition: d.SuccessCondition, Compare: d.Compare,
		Judge: d.Judge, Alpha: d.Alpha, Beta: d.Beta, Better: d.Better, Confidence: d.Confidence, MinEffect: d.MinEffect, Floor: d.Floor,
		MinSamples: d.MinSamples,
	}
}
