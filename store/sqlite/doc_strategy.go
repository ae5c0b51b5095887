package sqlite

import "github.com/slipway-dev/slipway/spec"

// strategyDoc is a service's release strategy as stored (spec.Strategy):
// one of rolling, blueGreen, canary, parallelRun.
type strategyDoc struct {
	Rolling     *rollingDoc         `json:"rolling,omitempty"`
	BlueGreen   *blueGreenDoc       `json:"blueGreen,omitempty"`
	Canary      *canarySpecDoc      `json:"canary,omitempty"`
	ParallelRun *parallelRunSpecDoc `json:"parallelRun,omitempty"`
}

// rollingDoc is a rolling update's settings.
type rollingDoc struct {
	MaxSurge         *int        `json:"maxSurge"`
	MaxUnavailable   *int        `json:"maxUnavailable"`
	MinReady         durationDoc `json:"minReady"`
	ProgressDeadline durationDoc `json:"progressDeadline"`
}

// blueGreenDoc is a blue/green release's settings.
type blueGreenDoc struct {
	PreviewHeader    string      `json:"previewHeader,omitempty"`
	AutoPromote      bool        `json:"autoPromote,omitempty"`
	ScaleDownDelay   durationDoc `json:"scaleDownDelay"`
	ProgressDeadline durationDoc `json:"progressDeadline"`
}

// canarySpecDoc is a canary release's settings: its steps and analysis.
type canarySpecDoc struct {
	Stickiness       *stickinessDoc   `json:"stickiness,omitempty"`
	Steps            []stepDoc        `json:"steps,omitempty"`
	Analysis         *analysisSpecDoc `json:"analysis,omitempty"`
	ProgressDeadline durationDoc      `json:"progressDeadline"`
}

// stickinessDoc keeps a user on one side of a split (spec.Stickiness):
// by a cookie or a header.
type stickinessDoc struct {
	Cookie string `json:"cookie,omitempty"`
	Header string `json:"header,omitempty"`
}

// stepDoc is one canary step; exactly one field is set.
type stepDoc struct {
	SetWeight      *int             `json:"setWeight,omitempty"`
	Pause          *pauseDoc        `json:"pause,omitempty"`
	Analysis       *stepAnalysisDoc `json:"analysis,omitempty"`
	SetHeaderRoute *headerRouteDoc  `json:"setHeaderRoute,omitempty"`
}

// stepAnalysisDoc is an analysis step.
type stepAnalysisDoc struct {
	Metrics []string `json:"metrics,omitempty"`
	Count   int      `json:"count,omitempty"`
}

// headerRouteDoc sends requests carrying a header to the canary.
type headerRouteDoc struct {
	Header string `json:"header"`
	Value  string `json:"value,omitempty"`
}

// parallelRunSpecDoc is a parallel run's settings.
type parallelRunSpecDoc struct {
	MirrorPercent    *int               `json:"mirrorPercent"`
	Compare          parallelCompareDoc `json:"compare"`
	MaxMismatchRate  float64            `json:"maxMismatchRate"`
	Duration         durationDoc        `json:"duration"`
	MinRequests      int                `json:"minRequests"`
	Unsafe           bool               `json:"unsafe,omitempty"`
	ProgressDeadline durationDoc        `json:"progressDeadline"`
}

// parallelCompareDoc says what a parallel run compares.
type parallelCompareDoc struct {
	IgnoreHeaders   []string `json:"ignoreHeaders,omitempty"`
	Headers         []string `json:"headers,omitempty"`
	IgnoreJSONPaths []string `json:"ignoreJsonPaths,omitempty"`
}

func toStrategyDoc(s spec.Strategy) strategyDoc {
	return strategyDoc{
		Rolling: ptr(s.Rolling, func(r spec.Rolling) rollingDoc {
			return rollingDoc{MaxSurge: r.MaxSurge, MaxUnavailable: r.MaxUnavailable,
				MinReady: toDurationDoc(r.MinReady), ProgressDeadline: toDurationDoc(r.ProgressDeadline)}
		}),
		BlueGreen: ptr(s.BlueGreen, func(b spec.BlueGreen) blueGreenDoc {
			return blueGreenDoc{PreviewHeader: b.PreviewHeader, AutoPromote: b.AutoPromote,
				ScaleDownDelay: toDurationDoc(b.ScaleDownDelay), ProgressDeadline: toDurationDoc(b.ProgressDeadline)}
		}),
		Canary:      ptr(s.Canary, toCanarySpecDoc),
		ParallelRun: ptr(s.ParallelRun, toParallelRunSpecDoc),
	}
}

func fromStrategyDoc(d strategyDoc) spec.Strategy {
	return spec.Strategy{
		Rolling: ptr(d.Rolling, func(r rollingDoc) spec.Rolling {
			return spec.Rolling{MaxSurge: r.MaxSurge, MaxUnavailable: r.MaxUnavailable,
				MinReady: fromDurationDoc(r.MinReady), ProgressDeadline: fromDurationDoc(r.ProgressDeadline)}
		}),
		BlueGreen: ptr(d.BlueGreen, func(b blueGreenDoc) spec.BlueGreen {
			return spec.BlueGreen{PreviewHeader: b.PreviewHeader, AutoPromote: b.AutoPromote,
				ScaleDownDelay: fromDurationDoc(b.ScaleDownDelay), ProgressDeadline: fromDurationDoc(b.ProgressDeadline)}
		}),
		Canary:      ptr(d.Canary, fromCanarySpecDoc),
		ParallelRun: ptr(d.ParallelRun, fromParallelRunSpecDoc),
	}
}

func toCanarySpecDoc(c spec.Canary) canarySpecDoc {
	return canarySpecDoc{
		Stickiness:       ptr(c.Stickiness, toStickinessDoc),
		Steps:            each(c.Steps, toStepDoc),
		Analysis:         ptr(c.Analysis, toAnalysisSpecDoc),
		ProgressDeadline: toDurationDoc(c.ProgressDeadline),
	}
}

func fromCanarySpecDoc(d canarySpecDoc) spec.Canary {
	return spec.Canary{
		Stickiness:       ptr(d.Stickiness, fromStickinessDoc),
		Steps:            each(d.Steps, fromStepDoc),
		Analysis:         ptr(d.Analysis, fromAnalysisSpecDoc),
		ProgressDeadline: fromDurationDoc(d.ProgressDeadline),
	}
}

func toStickinessDoc(s spec.Stickiness) stickinessDoc {
	return stickinessDoc{Cookie: s.Cookie, Header: s.Header}
}

func fromStickinessDoc(d stickinessDoc) spec.Stickiness {
	return spec.Stickiness{Cookie: d.Cookie, Header: d.Header}
}

func toStepDoc(s spec.Step) stepDoc {
	return stepDoc{
		SetWeight: s.SetWeight,
		Pause:     ptr(s.Pause, toPauseDoc),
		Analysis: ptr(s.Analysis, func(a spec.StepAnalysis) stepAnalysisDoc {
			return stepAnalysisDoc{Metrics: a.Metrics, Count: a.Count}
		}),
		SetHeaderRoute: ptr(s.SetHeaderRoute, func(h spec.HeaderRoute) headerRouteDoc {
			return headerRouteDoc{Header: h.Header, Value: h.Value}
		}),
	}
}

func fromStepDoc(d stepDoc) spec.Step {
	return spec.Step{
		SetWeight: d.SetWeight,
		Pause:     ptr(d.Pause, fromPauseDoc),
		Analysis: ptr(d.Analysis, func(a stepAnalysisDoc) spec.StepAnalysis {
			return spec.StepAnalysis{Metrics: a.Metrics, Count: a.Count}
		}),
		SetHeaderRoute: ptr(d.SetHeaderRoute, func(h headerRouteDoc) spec.HeaderRoute {
			return spec.HeaderRoute{Header: h.Header, Value: h.Value}
		}),
	}
}

func toParallelRunSpecDoc(p spec.ParallelRun) parallelRunSpecDoc {
	return parallelRunSpecDoc{
		MirrorPercent: p.MirrorPercent,
		Compare: parallelCompareDoc{IgnoreHeaders: p.Compare.IgnoreHeaders,
			Headers: p.Compare.Headers, IgnoreJSONPaths: p.Compare.IgnoreJSONPaths},
		MaxMismatchRate: p.MaxMismatchRate, Duration: toDurationDoc(p.Duration),
		MinRequests: p.MinRequests, Unsafe: p.Unsafe,
		ProgressDeadline: toDurationDoc(p.ProgressDeadline),
	}
}

func fromParallelRunSpecDoc(d parallelRunSpecDoc) spec.ParallelRun {
	return spec.ParallelRun{
		MirrorPercent: d.MirrorPercent,
		Compare: spec.ParallelCompare{IgnoreHeaders: d.Compare.IgnoreHeaders,
			Headers: d.Compare.Headers, IgnoreJSONPaths: d.Compare.IgnoreJSONPaths},
		MaxMismatchRate: d.MaxMismatchRate, Duration: fromDurationDoc(d.Duration),
		MinRequests: d.MinRequests, Unsafe: d.Unsafe,
		ProgressDeadline: fromDurationDoc(d.ProgressDeadline),
	}
}
