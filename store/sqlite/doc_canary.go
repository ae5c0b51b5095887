package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// canaryDoc is a canary rollout's step machine (store.Canary) as stored
// on its service. Its analyses are in doc_analysisrun.go.
type canaryDoc struct {
	Revision     int             `json:"revision"`
	Stable       int             `json:"stable"`
	Step         int             `json:"step"`
	StepStarted  time.Time       `json:"stepStarted,omitzero"`
	Weight       int             `json:"weight"`
	Header       string          `json:"header,omitempty"`
	Value        string          `json:"value,omitempty"`
	Paused       bool            `json:"paused,omitempty"`
	PauseReason  string          `json:"pauseReason,omitempty"`
	Skip         bool            `json:"skip,omitempty"`
	Full         bool            `json:"full,omitempty"`
	Abort        string          `json:"abort,omitempty"`
	Analysis     *analysisRunDoc `json:"analysis,omitempty"`
	StepAnalysis *analysisRunDoc `json:"stepAnalysis,omitempty"`
	Outcome      string          `json:"outcome,omitempty"`
	Reason       string          `json:"reason,omitempty"`
	Started      time.Time       `json:"started"`
	Ended        time.Time       `json:"ended,omitzero"`
}

func toCanaryDoc(c store.Canary) canaryDoc {
	return canaryDoc{
		Revision: c.Revision, Stable: c.Stable, Step: c.Step, StepStarted: c.StepStarted,
		Weight: c.Weight, Header: c.Header, Value: c.Value,
		Paused: c.Paused, PauseReason: c.PauseReason, Skip: c.Skip, Full: c.Full, Abort: c.Abort,
		Analysis:     ptr(c.Analysis, toAnalysisRunDoc),
		StepAnalysis: ptr(c.StepAnalysis, toAnalysisRunDoc),
		Outcome:      string(c.Outcome), Reason: c.Reason, Started: c.Started, Ended: c.Ended,
	}
}

func fromCanaryDoc(d canaryDoc) store.Canary {
	return store.Canary{
		Revision: d.Revision, Stable: d.Stable, Step: d.Step, StepStarted: d.StepStarted,
		Weight: d.Weight, Header: d.Header, Value: d.Value,
		Paused: d.Paused, PauseReason: d.PauseReason, Skip: d.Skip, Full: d.Full, Abort: d.Abort,
		Analysis:     ptr(d.Analysis, fromAnalysisRunDoc),
		StepAnalysis: ptr(d.StepAnalysis, fromAnalysisRunDoc),
		Outcome:      store.CanaryOutcome(d.Outcome), Reason: d.Reason, Started: d.Started, Ended: d.Ended,
	}
}
