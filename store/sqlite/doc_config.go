package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// configVersionDoc is one version of a dynamic configuration
// (store.ConfigVersion) as stored in config_versions.data.
type configVersionDoc struct {
	Name      string         `json:"name"`
	Version   int            `json:"version"`
	Spec      *configSpecDoc `json:"spec"`
	Schema    string         `json:"schema,omitempty"`
	Dir       string         `json:"dir,omitempty"`
	Values    map[string]any `json:"values"`
	Source    string         `json:"source"`
	From      int            `json:"from,omitempty"`
	Revision  int            `json:"revision,omitempty"`
	By        string         `json:"by,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	CreatedAt time.Time      `json:"createdAt"`
}

// configSpecDoc is a config as the spec declared it (spec.Config).
type configSpecDoc struct {
	Service         string                `json:"service"`
	Schema          string                `json:"schema,omitempty"`
	Rules           []string              `json:"rules,omitempty"`
	Validate        []string              `json:"validate,omitempty"`
	ValidateTimeout durationDoc           `json:"validateTimeout"`
	Values          map[string]any        `json:"values"`
	Signal          string                `json:"signal,omitempty"`
	Delivery        configDeliverySpecDoc `json:"delivery"`
}

// configDeliverySpecDoc is how a config is delivered (spec.ConfigDelivery).
type configDeliverySpecDoc struct {
	Strategy configStrategyDoc `json:"strategy"`
	Bake     durationDoc       `json:"bake"`
	Analysis *analysisSpecDoc  `json:"analysis,omitempty"`
}

// configStrategyDoc is one of a config's delivery strategies.
type configStrategyDoc struct {
	Linear      *linearDeliveryDoc      `json:"linear,omitempty"`
	Exponential *exponentialDeliveryDoc `json:"exponential,omitempty"`
	AllAtOnce   *struct{}               `json:"allAtOnce,omitempty"`
}

type linearDeliveryDoc struct {
	Steps    int         `json:"steps"`
	Interval durationDoc `json:"interval"`
}

type exponentialDeliveryDoc struct {
	Factor   float64     `json:"factor"`
	Interval durationDoc `json:"interval"`
}

// configDeliveryDoc is a config's latest delivery (store.ConfigDelivery)
// as stored in config_deliveries.data.
type configDeliveryDoc struct {
	Name        string          `json:"name"`
	Version     int             `json:"version"`
	Previous    int             `json:"previous,omitempty"`
	Revision    int             `json:"revision,omitempty"`
	Phase       string          `json:"phase"`
	Step        int             `json:"step"`
	StepStarted time.Time       `json:"stepStarted,omitzero"`
	Targets     []string        `json:"targets,omitempty"`
	Applied     map[string]int  `json:"applied,omitempty"`
	Analysis    *analysisRunDoc `json:"analysis,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	By          string          `json:"by,omitempty"`
	Started     time.Time       `json:"started"`
	Ended       time.Time       `json:"ended,omitzero"`
}

func toConfigVersionDoc(v store.ConfigVersion) configVersionDoc {
	return configVersionDoc{
		Name: v.Name, Version: v.Version, Spec: ptr(v.Spec, toConfigSpecDoc), Schema: v.Schema, Dir: v.Dir,
		Values: v.Values, Source: string(v.Source), From: v.From, Revision: v.Revision, By: v.By, Reason: v.Reason, CreatedAt: v.CreatedAt,
	}
}

func fromConfigVersionDoc(d configVersionDoc) store.ConfigVersion {
	return store.ConfigVersion{
		Name: d.Name, Version: d.Version, Spec: ptr(d.Spec, fromConfigSpecDoc), Schema: d.Schema, Dir: d.Dir,
		Values: d.Values, Source: store.ConfigSource(d.Source), From: d.From, Revision: d.Revision, By: d.By, Reason: d.Reason, CreatedAt: d.CreatedAt,
	}
}

func toConfigSpecDoc(c spec.Config) configSpecDoc {
	s := c.Delivery.Strategy
	d := configDeliverySpecDoc{Bake: toDurationDoc(c.Delivery.Bake), Analysis: ptr(c.Delivery.Analysis, toAnalysisSpecDoc)}
	if s.Linear != nil {
		d.Strategy.Linear = &linearDeliveryDoc{Steps: s.Linear.Steps, Interval: toDurationDoc(s.Linear.Interval)}
	}
	if s.Exponential != nil {
		d.Strategy.Exponential = &exponentialDeliveryDoc{Factor: s.Exponential.Factor, Interval: toDurationDoc(s.Exponential.Interval)}
	}
	if s.AllAtOnce != nil {
		d.Strategy.AllAtOnce = &struct{}{}
	}
	return configSpecDoc{Service: c.Service, Schema: c.Schema, Rules: c.Rules, Validate: c.Validate,
		ValidateTimeout: toDurationDoc(c.ValidateTimeout), Values: c.Values, Signal: c.Signal, Delivery: d}
}

func fromConfigSpecDoc(d configSpecDoc) spec.Config {
	var s spec.ConfigStrategy
	if l := d.Delivery.Strategy.Linear; l != nil {
		s.Linear = &spec.LinearDelivery{Steps: l.Steps, Interval: fromDurationDoc(l.Interval)}
	}
	if e := d.Delivery.Strategy.Exponential; e != nil {
		s.Exponential = &spec.ExponentialDelivery{Factor: e.Factor, Interval: fromDurationDoc(e.Interval)}
	}
	if d.Delivery.Strategy.AllAtOnce != nil {
		s.AllAtOnce = &spec.AllAtOnceDelivery{}
	}
	return spec.Config{Service: d.Service, Schema: d.Schema, Rules: d.Rules, Validate: d.Validate,
		ValidateTimeout: fromDurationDoc(d.ValidateTimeout), Values: d.Values, Signal: d.Signal,
		Delivery: spec.ConfigDelivery{Strategy: s, Bake: fromDurationDoc(d.Delivery.Bake),
			Analysis: ptr(d.Delivery.Analysis, fromAnalysisSpecDoc)}}
}

func toConfigDeliveryDoc(d store.ConfigDelivery) configDeliveryDoc {
	return configDeliveryDoc{
		Name: d.Name, Version: d.Version, Previous: d.Previous, Revision: d.Revision, Phase: string(d.Phase), Step: d.Step,
		StepStarted: d.StepStarted, Targets: d.Targets, Applied: d.Applied,
		Analysis: ptr(d.Analysis, toAnalysisRunDoc), Reason: d.Reason, By: d.By, Started: d.Started, Ended: d.Ended,
	}
}

func fromConfigDeliveryDoc(d configDeliveryDoc) store.ConfigDelivery {
	return store.ConfigDelivery{
		Name: d.Name, Version: d.Version, Previous: d.Previous, Revision: d.Revision, Phase: store.ConfigPhase(d.Phase), Step: d.Step,
		StepStarted: d.StepStarted, Targets: d.Targets, Applied: d.Applied,
		Analysis: ptr(d.Analysis, fromAnalysisRunDoc), Reason: d.Reason, By: d.By, Started: d.Started, Ended: d.Ended,
	}
}
