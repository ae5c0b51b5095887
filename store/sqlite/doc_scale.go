package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// scaleDoc is a revision's spec.Scale as stored; absent before autoscaling
// existed (release 2026-11).
type scaleDoc struct {
	Min           int              `json:"min"`
	Max           int              `json:"max"`
	Target        scaleTargetDoc   `json:"target"`
	IdleAfter     durationDoc      `json:"idleAfter"`
	Stabilization stabilizationDoc `json:"stabilization"`
	// The windows and panic threshold are absent before they could be
	// set (zero: the defaults).
	StableWindow   durationDoc `json:"stableWindow,omitempty"`
	PanicWindow    durationDoc `json:"panicWindow,omitempty"`
	PanicThreshold float64     `json:"panicThreshold,omitempty"`
}

// scaleTargetDoc is one instance's target load; CPU as written ("70%").
type scaleTargetDoc struct {
	Concurrency float64 `json:"concurrency,omitempty"`
	RPS         float64 `json:"rps,omitempty"`
	CPU         string  `json:"cpu,omitempty"`
}

// stabilizationDoc is the autoscaler's up and down windows.
type stabilizationDoc struct {
	Up   durationDoc `json:"up"`
	Down durationDoc `json:"down"`
}

// autoscaleDoc is a store.Autoscale: the count the autoscaler set.
type autoscaleDoc struct {
	Revision  int       `json:"revision"`
	Replicas  int       `json:"replicas"`
	Reason    string    `json:"reason,omitempty"`
	ChangedAt time.Time `json:"changedAt"`
}

func toScaleDoc(s spec.Scale) scaleDoc {
	return scaleDoc{
		Min: s.Min, Max: s.Max,
		Target:        scaleTargetDoc{Concurrency: s.Target.Concurrency, RPS: s.Target.RPS, CPU: s.Target.CPU},
		IdleAfter:     toDurationDoc(s.IdleAfter),
		Stabilization: stabilizationDoc{Up: toDurationDoc(s.Stabilization.Up), Down: toDurationDoc(s.Stabilization.Down)},
		StableWindow:  toDurationDoc(s.StableWindow), PanicWindow: toDurationDoc(s.PanicWindow), PanicThreshold: s.PanicThreshold,
	}
}

func fromScaleDoc(d scaleDoc) spec.Scale {
	return spec.Scale{
		Min: d.Min, Max: d.Max,
		Target:        spec.ScaleTarget{Concurrency: d.Target.Concurrency, RPS: d.Target.RPS, CPU: d.Target.CPU},
		IdleAfter:     fromDurationDoc(d.IdleAfter),
		Stabilization: spec.Stabilization{Up: fromDurationDoc(d.Stabilization.Up), Down: fromDurationDoc(d.Stabilization.Down)},
		StableWindow:  fromDurationDoc(d.StableWindow), PanicWindow: fromDurationDoc(d.PanicWindow), PanicThreshold: d.PanicThreshold,
	}
}

func toAutoscaleDoc(a store.Autoscale) autoscaleDoc {
	return autoscaleDoc{Revision: a.Revision, Replicas: a.Replicas, Reason: a.Reason, ChangedAt: a.ChangedAt}
}

func fromAutoscaleDoc(d autoscaleDoc) store.Autoscale {
	return store.Autoscale{Revision: d.Revision, Replicas: d.Replicas, Reason: d.Reason, ChangedAt: d.ChangedAt}
}
