package sqlite

import "github.com/slipway-dev/slipway/spec"

// flagDoc is a feature flag as the spec declares it (spec.Flag), stored
// in a flag configuration (doc_flagconfig.go).
type flagDoc struct {
	Key         string                  `json:"key"`
	Class       string                  `json:"class"`
	Type        string                  `json:"type"`
	Description string                  `json:"description,omitempty"`
	Owner       string                  `json:"owner,omitempty"`
	Enabled     *bool                   `json:"enabled"`
	Variants    map[string]flagValueDoc `json:"variants,omitempty"`
	Default     string                  `json:"default"`
	// Off is absent in flags stored before it existed: spec.Flag's
	// OffVariant says what such a flag serves when killed.
	Off           string              `json:"off,omitempty"`
	Prerequisites []prerequisiteDoc   `json:"prerequisites,omitempty"`
	Rules         []flagRuleDoc       `json:"rules,omitempty"`
	Rollout       map[string]float64  `json:"rollout,omitempty"`
	Stickiness    string              `json:"stickiness,omitempty"`
	StaleAfter    periodDoc           `json:"staleAfter"`
	Progressive   *flagProgressiveDoc `json:"progressive,omitempty"`
}

// prerequisiteDoc is a flag that must serve a variant first.
type prerequisiteDoc struct {
	Flag    string `json:"flag"`
	Variant string `json:"variant"`
}

// flagRuleDoc serves its variant to the subjects it matches.
type flagRuleDoc struct {
	If      string `json:"if,omitempty"`
	Segment string `json:"segment,omitempty"`
	Serve   string `json:"serve"`
}

// flagProgressiveDoc releases a variant step by step under analysis.
type flagProgressiveDoc struct {
	Variant  string           `json:"variant,omitempty"`
	Service  string           `json:"service"`
	Steps    []flagStepDoc    `json:"steps"`
	Analysis *analysisSpecDoc `json:"analysis,omitempty"`
}

// flagStepDoc is one share of a progressive release.
type flagStepDoc struct {
	Percent float64     `json:"percent"`
	Bake    durationDoc `json:"bake"`
}

// segmentDoc is a named condition flags' rules share (spec.Segment).
type segmentDoc struct {
	Name        string `json:"name"`
	If          string `json:"if"`
	Description string `json:"description,omitempty"`
}

func toFlagDoc(f spec.Flag) flagDoc {
	return flagDoc{
		Key: f.Key, Class: string(f.Class), Type: string(f.Type),
		Description: f.Description, Owner: f.Owner, Enabled: f.Enabled,
		Variants: eachValue(f.Variants, func(v spec.FlagValue) flagValueDoc { return flagValueDoc{v} }),
		Default:  f.Default, Off: f.Off,
		Prerequisites: each(f.Prerequisites, func(p spec.Prerequisite) prerequisiteDoc {
			return prerequisiteDoc{Flag: p.Flag, Variant: p.Variant}
		}),
		Rules: each(f.Rules, func(r spec.FlagRule) flagRuleDoc {
			return flagRuleDoc{If: r.If, Segment: r.Segment, Serve: r.Serve}
		}),
		Rollout: f.Rollout, Stickiness: f.Stickiness, StaleAfter: toPeriodDoc(f.StaleAfter),
		Progressive: ptr(f.Progressive, toFlagProgressiveDoc),
	}
}

func fromFlagDoc(d flagDoc) spec.Flag {
	return spec.Flag{
		Key: d.Key, Class: spec.FlagClass(d.Class), Type: spec.FlagType(d.Type),
		Description: d.Description, Owner: d.Owner, Enabled: d.Enabled,
		Variants: eachValue(d.Variants, func(v flagValueDoc) spec.FlagValue { return v.v }),
		Default:  d.Default, Off: d.Off,
		Prerequisites: each(d.Prerequisites, func(p prerequisiteDoc) spec.Prerequisite {
			return spec.Prerequisite{Flag: p.Flag, Variant: p.Variant}
		}),
		Rules: each(d.Rules, func(r flagRuleDoc) spec.FlagRule {
			return spec.FlagRule{If: r.If, Segment: r.Segment, Serve: r.Serve}
		}),
		Rollout: d.Rollout, Stickiness: d.Stickiness, StaleAfter: fromPeriodDoc(d.StaleAfter),
		Progressive: ptr(d.Progressive, fromFlagProgressiveDoc),
	}
}

func toFlagProgressiveDoc(p spec.FlagProgressive) flagProgressiveDoc {
	return flagProgressiveDoc{
		Variant: p.Variant, Service: p.Service,
		Steps: each(p.Steps, func(s spec.FlagStep) flagStepDoc {
			return flagStepDoc{Percent: s.Percent, Bake: toDurationDoc(s.Bake)}
		}),
		Analysis: ptr(p.Analysis, toAnalysisSpecDoc),
	}
}

func fromFlagProgressiveDoc(d flagProgressiveDoc) spec.FlagProgressive {
	return spec.FlagProgressive{
		Variant: d.Variant, Service: d.Service,
		Steps: each(d.Steps, func(s flagStepDoc) spec.FlagStep {
			return spec.FlagStep{Percent: s.Percent, Bake: fromDurationDoc(s.Bake)}
		}),
		Analysis: ptr(d.Analysis, fromAnalysisSpecDoc),
	}
}

func toSegmentDoc(s spec.Segment) segmentDoc {
	return segmentDoc{Name: s.Name, If: s.If, Description: s.Description}
}

func fromSegmentDoc(d segmentDoc) spec.Segment {
	return spec.Segment{Name: d.Name, If: d.If, Description: d.Description}
}
