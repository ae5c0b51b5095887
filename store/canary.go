package store

import (
	"time"

	"github.com/slipway-dev/slipway/analysis"
)

// Canary is a canary rollout's persisted step machine: where it stands
// in its steps, the traffic it gives the candidate, the verbs asked of
// it, and its analysis with every measurement kept for explanation. It
// stays on the service after the rollout ends (Outcome set), so that
// `slipway rollout explain` can say why it was promoted or rolled back.
//
//	Running --steps done, full promotion converged--> Promoted
//	Running --analysis failed | aborted | deadline--> RolledBack
//	Running --analysis inconclusive | pause | set-weight--> Running (Paused)
type Canary struct {
	// Revision is the candidate; Stable the revision it is judged
	// against, which keeps running (and its traffic share) throughout.
	Revision int `json:"revision"`
	Stable   int `json:"stable"`
	// Step is the index of the current step; len(steps) once every step
	// is done (the candidate then scales to full and takes all traffic).
	Step int `json:"step"`
	// StepStarted is when the current step began; zero while the step
	// waits for the candidate's instances to be ready.
	StepStarted time.Time `json:"stepStarted,omitzero"`
	// Weight is the candidate's share of traffic (0..100).
	Weight int `json:"weight"`
	// Header, when set, sends requests carrying it to the candidate at
	// any weight (setHeaderRoute); Value "" matches any value.
	Header string `json:"header,omitempty"`
	Value  string `json:"value,omitempty"`
	// Paused stops the steps (not the analysis) until resumed or
	// promoted; PauseReason says who or what paused it.
	Paused      bool   `json:"paused,omitempty"`
	PauseReason string `json:"pauseReason,omitempty"`
	// Skip asks the controller to end the current step now (`rollout
	// promote`); Full to skip every remaining step (`promote --full`).
	Skip bool `json:"skip,omitempty"`
	Full bool `json:"full,omitempty"`
	// Abort, when set, is why a person aborted the rollout: the
	// controller rolls back as for a failed analysis.
	Abort string `json:"abort,omitempty"`
	// Analysis is the background analysis (whole rollout); StepAnalysis
	// the current analysis step's. Either is nil when not running.
	Analysis     *AnalysisRun `json:"analysis,omitempty"`
	StepAnalysis *AnalysisRun `json:"stepAnalysis,omitempty"`
	// Outcome is set when the rollout ended; Reason says why.
	Outcome CanaryOutcome `json:"outcome,omitempty"`
	Reason  string        `json:"reason,omitempty"`
	// Started is when the canary began; Ended when Outcome was set.
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
}

// CanaryOutcome is how a canary rollout ended ("" while it runs).
type CanaryOutcome string

// Canary outcomes.
const (
	CanaryPromoted   CanaryOutcome = "Promoted"
	CanaryRolledBack CanaryOutcome = "RolledBack"
)

// InFlight reports whether the canary still runs for the service's
// target revision.
func (c *Canary) InFlight(target int) bool {
	return c != nil && c.Outcome == "" && c.Revision == target
}

// AnalysisRun is one analysis of a canary: each metric's tally and its
// latest measurements, and the phase they add up to.
type AnalysisRun struct {
	// Started is when the run began; NextAt when it measures next.
	Started time.Time `json:"started"`
	NextAt  time.Time `json:"nextAt"`
	// Step is the index of the analysis step running it, -1 for the
	// background analysis.
	Step    int            `json:"step"`
	Metrics []MetricRun    `json:"metrics"`
	Phase   analysis.Phase `json:"phase"`
	Reason  string         `json:"reason,omitempty"`
	Ended   time.Time      `json:"ended,omitzero"`
}

// MetricRun is one metric's part of an analysis run.
type MetricRun struct {
	Name  string         `json:"name"`
	Tally analysis.Tally `json:"tally"`
	// Measurements are the latest ones, oldest first, at most
	// KeptMeasurements; Taken counts every one ever taken.
	Measurements []analysis.Measurement `json:"measurements"`
	Taken        int                    `json:"taken"`
	// LastData is when the metric last had data to judge (or the run
	// started): past the analysis deadline without data, it fails.
	LastData time.Time `json:"lastData"`
}

// KeptMeasurements is how many measurements a MetricRun keeps.
const KeptMeasurements = 20

// Restart clears a run's tallies to measure afresh from now (a person
// resumed a canary paused by an inconclusive analysis); its kept
// measurements stay for explanation.
func (r *AnalysisRun) Restart(now time.Time) {
	for i := range r.Metrics {
		m := &r.Metrics[i]
		m.Tally = analysis.Tally{Limits: m.Tally.Limits}
		m.LastData = now
	}
	r.Phase, r.Reason, r.Ended, r.NextAt = analysis.PhaseRunning, "", time.Time{}, now
}
