package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/store"
)

// serviceDoc is a store.Service (a service's desired state) as stored in
// services.data. Its canary and parallel run are in doc_canary.go and
// doc_parallelrun.go.
type serviceDoc struct {
	Name        string          `json:"name"`
	Revision    int             `json:"revision"`
	Stable      int             `json:"stable"`
	Phase       string          `json:"phase"`
	Message     string          `json:"message,omitempty"`
	Removed     bool            `json:"removed,omitempty"`
	Deadline    time.Time       `json:"deadline,omitempty"`
	Traffic     trafficDoc      `json:"traffic"`
	Promote     bool            `json:"promote,omitempty"`
	Keep        int             `json:"keep,omitempty"`
	KeepUntil   time.Time       `json:"keepUntil,omitempty"`
	Failure     *failureDoc     `json:"failure,omitempty"`
	Canary      *canaryDoc      `json:"canary,omitempty"`
	ParallelRun *parallelRunDoc `json:"parallelRun,omitempty"`
	Autoscale   *autoscaleDoc   `json:"autoscale,omitempty"`
	Operation   int64           `json:"operation,omitempty"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	// RestartedAt and Scale are the day-two verbs' (issue 17).
	RestartedAt time.Time `json:"restartedAt,omitzero"`
	Scale       *int      `json:"scale,omitempty"`
}

// trafficDoc is how the router splits a service's requests.
type trafficDoc struct {
	Active        int            `json:"active,omitempty"`
	Preview       int            `json:"preview,omitempty"`
	PreviewHeader string         `json:"previewHeader,omitempty"`
	PreviewSecret string         `json:"previewSecret,omitempty"`
	Canary        int            `json:"canary,omitempty"`
	Weight        int            `json:"weight,omitempty"`
	CanaryHeader  string         `json:"canaryHeader,omitempty"`
	CanaryValue   string         `json:"canaryValue,omitempty"`
	Sticky        *stickinessDoc `json:"sticky,omitempty"`
	Mirror        int            `json:"mirror,omitempty"`
	MirrorPercent int            `json:"mirrorPercent,omitempty"`
	MirrorUnsafe  bool           `json:"mirrorUnsafe,omitempty"`
}

// failureDoc says why a rollout or an operation failed.
type failureDoc struct {
	Service  string   `json:"service"`
	Instance string   `json:"instance,omitempty"`
	Reason   string   `json:"reason"`
	Logs     []string `json:"logs,omitempty"`
}

func toServiceDoc(s store.Service) serviceDoc {
	return serviceDoc{
		Name: s.Name, Revision: s.Revision, Stable: s.Stable, Phase: string(s.Phase),
		Message: s.Message, Removed: s.Removed, Deadline: s.Deadline,
		Traffic: toTrafficDoc(s.Traffic), Promote: s.Promote,
		Keep: s.Keep, KeepUntil: s.KeepUntil,
		Failure:     ptr(s.Failure, toFailureDoc),
		Canary:      ptr(s.Canary, toCanaryDoc),
		ParallelRun: ptr(s.ParallelRun, toParallelRunDoc),
		Autoscale:   ptr(s.Autoscale, toAutoscaleDoc),
		Operation:   s.Operation, UpdatedAt: s.UpdatedAt,
		RestartedAt: s.RestartedAt, Scale: s.Scale,
	}
}

func fromServiceDoc(d serviceDoc) store.Service {
	return store.Service{
		Name: d.Name, Revision: d.Revision, Stable: d.Stable, Phase: store.Phase(d.Phase),
		Message: d.Message, Removed: d.Removed, Deadline: d.Deadline,
		Traffic: fromTrafficDoc(d.Traffic), Promote: d.Promote,
		Keep: d.Keep, KeepUntil: d.KeepUntil,
		Failure:     ptr(d.Failure, fromFailureDoc),
		Canary:      ptr(d.Canary, fromCanaryDoc),
		ParallelRun: ptr(d.ParallelRun, fromParallelRunDoc),
		Autoscale:   ptr(d.Autoscale, fromAutoscaleDoc),
		Operation:   d.Operation, UpdatedAt: d.UpdatedAt,
		RestartedAt: d.RestartedAt, Scale: d.Scale,
	}
}

func toTrafficDoc(t store.Traffic) trafficDoc {
	return trafficDoc{
		Active: t.Active, Preview: t.Preview, PreviewHeader: t.PreviewHeader, PreviewSecret: t.PreviewSecret,
		Canary: t.Canary, Weight: t.Weight, CanaryHeader: t.CanaryHeader, CanaryValue: t.CanaryValue,
		Sticky: ptr(t.Sticky, toStickinessDoc),
		Mirror: t.Mirror, MirrorPercent: t.MirrorPercent, MirrorUnsafe: t.MirrorUnsafe,
	}
}

func fromTrafficDoc(d trafficDoc) store.Traffic {
	return store.Traffic{
		Active: d.Active, Preview: d.Preview, PreviewHeader: d.PreviewHeader, PreviewSecret: d.PreviewSecret,
		Canary: d.Canary, Weight: d.Weight, CanaryHeader: d.CanaryHeader, CanaryValue: d.CanaryValue,
		Sticky: ptr(d.Sticky, fromStickinessDoc),
		Mirror: d.Mirror, MirrorPercent: d.MirrorPercent, MirrorUnsafe: d.MirrorUnsafe,
	}
}

func toFailureDoc(f store.Failure) failureDoc {
	return failureDoc{Service: f.Service, Instance: f.Instance, Reason: f.Reason, Logs: f.Logs}
}

func fromFailureDoc(d failureDoc) store.Failure {
	return store.Failure{Service: d.Service, Instance: d.Instance, Reason: d.Reason, Logs: d.Logs}
}
