package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// flagConfigDoc is one revision of the app's feature flags
// (store.FlagConfig) as stored in flag_configs.data: the spec's flags and
// segments (doc_flag.go), the run-time overrides and the progressive
// releases.
type flagConfigDoc struct {
	Revision  int                        `json:"revision"`
	Flags     map[string]*flagDoc        `json:"flags"`
	Segments  map[string]*segmentDoc     `json:"segments,omitempty"`
	Overrides map[string]flagOverrideDoc `json:"overrides,omitempty"`
	Reason    string                     `json:"reason"`
	CreatedAt time.Time                  `json:"createdAt"`
	Changed   map[string]time.Time       `json:"changed,omitempty"`
	Releases  map[string]*flagReleaseDoc `json:"releases,omitempty"`
}

// flagOverrideDoc is a flag's run-time state on top of its spec.
type flagOverrideDoc struct {
	Enabled *bool              `json:"enabled,omitempty"`
	Killed  bool               `json:"killed,omitempty"`
	Default string             `json:"default,omitempty"`
	Rollout map[string]float64 `json:"rollout,omitempty"`
}

// flagReleaseDoc is a progressive flag release's state.
type flagReleaseDoc struct {
	Variant     string            `json:"variant"`
	Service     string            `json:"service"`
	Step        int               `json:"step"`
	StepStarted time.Time         `json:"stepStarted,omitzero"`
	Percent     float64           `json:"percent"`
	Analysis    *analysisRunDoc   `json:"analysis,omitempty"`
	Done        []*analysisRunDoc `json:"done,omitempty"`
	Outcome     string            `json:"outcome,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	Started     time.Time         `json:"started"`
	Ended       time.Time         `json:"ended,omitzero"`
}

func toFlagConfigDoc(c store.FlagConfig) flagConfigDoc {
	return flagConfigDoc{
		Revision:  c.Revision,
		Flags:     eachValue(c.Flags, func(f *spec.Flag) *flagDoc { return ptr(f, toFlagDoc) }),
		Segments:  eachValue(c.Segments, func(s *spec.Segment) *segmentDoc { return ptr(s, toSegmentDoc) }),
		Overrides: eachValue(c.Overrides, toFlagOverrideDoc),
		Reason:    c.Reason, CreatedAt: c.CreatedAt, Changed: c.Changed,
		Releases: eachValue(c.Releases, func(r *store.FlagRelease) *flagReleaseDoc {
			return ptr(r, toFlagReleaseDoc)
		}),
	}
}

func fromFlagConfigDoc(d flagConfigDoc) store.FlagConfig {
	return store.FlagConfig{
		Revision:  d.Revision,
		Flags:     eachValue(d.Flags, func(f *flagDoc) *spec.Flag { return ptr(f, fromFlagDoc) }),
		Segments:  eachValue(d.Segments, func(s *segmentDoc) *spec.Segment { return ptr(s, fromSegmentDoc) }),
		Overrides: eachValue(d.Overrides, fromFlagOverrideDoc),
		Reason:    d.Reason, CreatedAt: d.CreatedAt, Changed: d.Changed,
		Releases: eachValue(d.Releases, func(r *flagReleaseDoc) *store.FlagRelease {
			return ptr(r, fromFlagReleaseDoc)
		}),
	}
}

func toFlagOverrideDoc(o store.FlagOverride) flagOverrideDoc {
	return flagOverrideDoc{Enabled: o.Enabled, Killed: o.Killed, Default: o.Default, Rollout: o.Rollout}
}

func fromFlagOverrideDoc(d flagOverrideDoc) store.FlagOverride {
	return store.FlagOverride{Enabled: d.Enabled, Killed: d.Killed, Default: d.Default, Rollout: d.Rollout}
}

func toFlagReleaseDoc(r store.FlagRelease) flagReleaseDoc {
	return flagReleaseDoc{
		Variant: r.Variant, Service: r.Service, Step: r.Step, StepStarted: r.StepStarted,
		Percent:  r.Percent,
		Analysis: ptr(r.Analysis, toAnalysisRunDoc),
		Done: each(r.Done, func(a *store.AnalysisRun) *analysisRunDoc {
			return ptr(a, toAnalysisRunDoc)
		}),
		Outcome: string(r.Outcome), Reason: r.Reason, Started: r.Started, Ended: r.Ended,
	}
}

func fromFlagReleaseDoc(d flagReleaseDoc) store.FlagRelease {
	return store.FlagRelease{
		Variant: d.Variant, Service: d.Service, Step: d.Step, StepStarted: d.StepStarted,
		Percent:  d.Percent,
		Analysis: ptr(d.Analysis, fromAnalysisRunDoc),
		Done: each(d.Done, func(a *analysisRunDoc) *store.AnalysisRun {
			return ptr(a, fromAnalysisRunDoc)
		}),
		Outcome: store.CanaryOutcome(d.Outcome), Reason: d.Reason, Started: d.Started, Ended: d.Ended,
	}
}
