package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// promotionDoc is a store.Promotion (a version on its way into an
// environment) as stored in promotions.data, with its gates.
type promotionDoc struct {
	ID              int64     `json:"id"`
	Service         string    `json:"service"`
	Version         string    `json:"version"`
	Digest          string    `json:"digest"`
	From            string    `json:"from,omitempty"`
	To              string    `json:"to"`
	State           string    `json:"state"`
	Reason          string    `json:"reason,omitempty"`
	Gates           []gateDoc `json:"gates,omitempty"`
	By              string    `json:"by,omitempty"`
	CreatedAt       time.Time `json:"createdAt"`
	GatesPassedAt   time.Time `json:"gatesPassedAt,omitzero"`
	Operation       int64     `json:"operation,omitempty"`
	Revision        int       `json:"revision,omitempty"`
	DeployStartedAt time.Time `json:"deployStartedAt,omitzero"`
	FinishedAt      time.Time `json:"finishedAt,omitzero"`
}

// gateDoc is one gate of a promotion with what happened at it; Def is
// the gate as the spec said it when the promotion began.
type gateDoc struct {
	Kind       string          `json:"kind"`
	Spec       string          `json:"spec,omitempty"`
	State      string          `json:"state"`
	Reason     string          `json:"reason,omitempty"`
	StartedAt  time.Time       `json:"startedAt,omitzero"`
	EndedAt    time.Time       `json:"endedAt,omitzero"`
	Output     string          `json:"output,omitempty"`
	ExitCode   int             `json:"exitCode,omitempty"`
	ApprovedBy string          `json:"approvedBy,omitempty"`
	Attempt    int             `json:"attempt,omitempty"`
	Def        gateDefDoc      `json:"def"`
	Dir        string          `json:"dir,omitempty"`
	Analysis   *analysisRunDoc `json:"analysis,omitempty"`
}

// gateDefDoc is a gate as the spec declares it (spec.Gate): exactly one
// field is set.
type gateDefDoc struct {
	Tests    *testsGateDoc    `json:"tests,omitempty"`
	Approval *struct{}        `json:"approval,omitempty"`
	Bake     *durationDoc     `json:"bake,omitempty"`
	Analysis *analysisGateDoc `json:"analysis,omitempty"`
}

// testsGateDoc is a gate's test command.
type testsGateDoc struct {
	Run     string      `json:"run"`
	Timeout durationDoc `json:"timeout"`
}

// analysisGateDoc is a gate's analysis.
type analysisGateDoc struct {
	Interval durationDoc     `json:"interval"`
	Count    int             `json:"count,omitempty"`
	Metrics  []metricSpecDoc `json:"metrics,omitempty"`
}

func toPromotionDoc(p store.Promotion) promotionDoc {
	return promotionDoc{
		ID: p.ID, Service: p.Service, Version: p.Version, Digest: p.Digest, From: p.From, To: p.To,
		State: string(p.State), Reason: p.Reason, Gates: each(p.Gates, toGateDoc), By: p.By,
		CreatedAt: p.CreatedAt, GatesPassedAt: p.GatesPassedAt, Operation: p.Operation, Revision: p.Revision,
		DeployStartedAt: p.DeployStartedAt, FinishedAt: p.FinishedAt,
	}
}

func fromPromotionDoc(d promotionDoc) store.Promotion {
	return store.Promotion{
		ID: d.ID, Service: d.Service, Version: d.Version, Digest: d.Digest, From: d.From, To: d.To,
		State: store.PromotionState(d.State), Reason: d.Reason, Gates: each(d.Gates, fromGateDoc), By: d.By,
		CreatedAt: d.CreatedAt, GatesPassedAt: d.GatesPassedAt, Operation: d.Operation, Revision: d.Revision,
		DeployStartedAt: d.DeployStartedAt, FinishedAt: d.FinishedAt,
	}
}

func toGateDoc(g store.Gate) gateDoc {
	return gateDoc{
		Kind: g.Kind, Spec: g.Spec, State: string(g.State), Reason: g.Reason,
		StartedAt: g.StartedAt, EndedAt: g.EndedAt, Output: g.Output, ExitCode: g.ExitCode,
		ApprovedBy: g.ApprovedBy, Attempt: g.Attempt, Def: toGateDefDoc(g.Def), Dir: g.Dir,
		Analysis: ptr(g.Analysis, toAnalysisRunDoc),
	}
}

func fromGateDoc(d gateDoc) store.Gate {
	return store.Gate{
		Kind: d.Kind, Spec: d.Spec, State: store.GateState(d.State), Reason: d.Reason,
		StartedAt: d.StartedAt, EndedAt: d.EndedAt, Output: d.Output, ExitCode: d.ExitCode,
		ApprovedBy: d.ApprovedBy, Attempt: d.Attempt, Def: fromGateDefDoc(d.Def), Dir: d.Dir,
		Analysis: ptr(d.Analysis, fromAnalysisRunDoc),
	}
}

func toGateDefDoc(g spec.Gate) gateDefDoc {
	return gateDefDoc{
		Tests: ptr(g.Tests, func(t spec.TestsGate) testsGateDoc {
			return testsGateDoc{Run: t.Run, Timeout: toDurationDoc(t.Timeout)}
		}),
		Approval: ptr(g.Approval, func(spec.ApprovalGate) struct{} { return struct{}{} }),
		Bake:     ptr(g.Bake, toDurationDoc),
		Analysis: ptr(g.Analysis, func(a spec.AnalysisGate) analysisGateDoc {
			return analysisGateDoc{Interval: toDurationDoc(a.Interval), Count: a.Count,
				Metrics: each(a.Metrics, toMetricSpecDoc)}
		}),
	}
}

func fromGateDefDoc(d gateDefDoc) spec.Gate {
	return spec.Gate{
		Tests: ptr(d.Tests, func(t testsGateDoc) spec.TestsGate {
			return spec.TestsGate{Run: t.Run, Timeout: fromDurationDoc(t.Timeout)}
		}),
		Approval: ptr(d.Approval, func(struct{}) spec.ApprovalGate { return spec.ApprovalGate{} }),
		Bake:     ptr(d.Bake, fromDurationDoc),
		Analysis: ptr(d.Analysis, func(a analysisGateDoc) spec.AnalysisGate {
			return spec.AnalysisGate{Interval: fromDurationDoc(a.Interval), Count: a.Count,
				Metrics: each(a.Metrics, fromMetricSpecDoc)}
		}),
	}
}
