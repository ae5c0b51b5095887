package api

import "time"

// RolloutRequest carries a verb's arguments (POST
// /v1/services/{name}/rollout/{verb}: promote, pause, resume, abort,
// retry, set-weight).
type RolloutRequest struct {
	// Full, for promote, skips every remaining canary step.
	Full bool `json:"full,omitempty"`
	// Weight, for set-weight, is the candidate's share of traffic (0..100).
	Weight *int `json:"weight,omitempty"`
	// Reason, for pause and abort, is recorded with the verb.
	Reason string `json:"reason,omitempty"`
	// IfRevision and IfStep, when set, are the canary revision and step
	// the caller saw: a rollout that has moved since is a conflict (409),
	// not a second action on something the caller did not see.
	IfRevision int  `json:"ifRevision,omitempty"`
	IfStep     *int `json:"ifStep,omitempty"`
}

// Canary is a service's latest canary rollout: in flight while Outcome
// is empty.
type Canary struct {
	Revision int `json:"revision"`
	Stable   int `json:"stable"`
	// Step is the 0-based index of the current step, Steps how many
	// there are; Step == Steps once every step is done.
	Step        int       `json:"step"`
	Steps       int       `json:"steps"`
	StepName    string    `json:"stepName,omitempty"`
	StepStarted time.Time `json:"stepStarted,omitzero"`
	Weight      int       `json:"weight"`
	Header      string    `json:"header,omitempty"`
	HeaderValue string    `json:"headerValue,omitempty"`
	Paused      bool      `json:"paused,omitempty"`
	PauseReason string    `json:"pauseReason,omitempty"`
	Full        bool      `json:"full,omitempty"`
	// Outcome is "", "Promoted" or "RolledBack"; Reason says why.
	Outcome string    `json:"outcome,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
	// Analysis is the background analysis; StepAnalysis the latest
	// analysis step's.
	Analysis     *AnalysisRun `json:"analysis,omitempty"`
	StepAnalysis *AnalysisRun `json:"stepAnalysis,omitempty"`
}

// AnalysisRun is one analysis of a canary.
type AnalysisRun struct {
	// Step is the analysis step's 0-based index, -1 for the background.
	Step    int         `json:"step"`
	Phase   string      `json:"phase"`
	Reason  string      `json:"reason,omitempty"`
	Started time.Time   `json:"started"`
	NextAt  time.Time   `json:"nextAt"`
	Ended   time.Time   `json:"ended,omitzero"`
	Metrics []MetricRun `json:"metrics"`
}

// MetricRun is one metric of an analysis: how it is judged, its tally
// and its latest measurements (oldest first).
type MetricRun struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
	// Judge is the success condition, or "compare: baseline" for a
	// comparison by the interval judge, "compare: baseline, sequential"
	// by the sequential one.
	Judge         string        `json:"judge"`
	Phase         string        `json:"phase"`
	Reason        string        `json:"reason,omitempty"`
	Passes        int           `json:"passes"`
	Failures      int           `json:"failures"`
	Inconclusives int           `json:"inconclusives"`
	Errors        int           `json:"errors"`
	Taken         int           `json:"taken"`
	Measurements  []Measurement `json:"measurements"`
}

// Measurement is one judged observation with what the verdict rests on.
type Measurement struct {
	Time    time.Time          `json:"time,omitzero"`
	Value   float64            `json:"value"`
	Samples int                `json:"samples"`
	Verdict string             `json:"verdict"`
	NoData  bool               `json:"noData,omitempty"`
	Reason  string             `json:"reason"`
	Stats   map[string]float64 `json:"stats,omitempty"`
	// Spreads summarise the two samples of a comparison with baseline
	// (absent for other judges, and for measurements taken before
	// Slipway kept them).
	Spreads *Spreads `json:"spreads,omitempty"`
}

// Spreads are the canary's and the baseline's samples of a comparison.
type Spreads struct {
	Canary   Spread `json:"canary"`
	Baseline Spread `json:"baseline"`
}

// Spread is one sample's size and quantiles (a box plot's numbers).
type Spread struct {
	N   int     `json:"n"`
	Min float64 `json:"min"`
	P10 float64 `json:"p10"`
	P25 float64 `json:"p25"`
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
	P90 float64 `json:"p90"`
	Max float64 `json:"max"`
}
