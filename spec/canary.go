package spec

import (
	"encoding/json"
	"fmt"
	"slices"

	yaml "go.yaml.in/yaml/v3"
)

// Canary releases a new revision to a slice of traffic step by step,
// while analysis judges it against its conditions and against the stable
// revision. A failed analysis rolls back: all traffic returns to stable.
type Canary struct {
	// Stickiness keeps a user on one side (canary or stable) for the whole
	// rollout; nil assigns each request independently.
	Stickiness *Stickiness `yaml:"stickiness,omitempty" json:"stickiness,omitempty"`
	// Steps run in order; after the last one the canary is promoted to
	// 100%. At least one is required.
	Steps []Step `yaml:"steps,omitempty" json:"steps,omitempty"`
	// Analysis runs in the background for the whole rollout, and is what
	// an analysis step judges; nil means no analysis.
	Analysis *Analysis `yaml:"analysis,omitempty" json:"analysis,omitempty"`
	// ProgressDeadline bounds the time for the canary's instances to
	// become ready (default 2m); pauses and analysis have their own bounds.
	ProgressDeadline Duration `yaml:"progressDeadline,omitempty" json:"progressDeadline"`
}

// Stickiness says what keeps a user on one side. Exactly one field is set.
type Stickiness struct {
	// Cookie is the name of a cookie the router sets with the side it
	// picked, and honours on later requests.
	Cookie string `yaml:"cookie,omitempty" json:"cookie,omitempty"`
	// Header is a request header whose value (a user id) is hashed to
	// pick the side, so the same value always lands on the same side.
	Header string `yaml:"header,omitempty" json:"header,omitempty"`
}

// Step is one step of a canary. Exactly one field is set.
type Step struct {
	// SetWeight sends this percentage (0..100) of traffic to the canary.
	SetWeight *int `yaml:"setWeight,omitempty" json:"setWeight,omitempty"`
	// Pause waits for a duration, or until `slipway rollout promote`.
	Pause *Pause `yaml:"pause,omitempty" json:"pause,omitempty"`
	// Analysis waits until the canary's analysis reaches a verdict: a
	// pass moves on, a failure rolls back.
	Analysis *StepAnalysis `yaml:"analysis,omitempty" json:"analysis,omitempty"`
	// SetHeaderRoute sends requests carrying a header to the canary,
	// whatever the weight (so testers reach it at weight 0).
	SetHeaderRoute *HeaderRoute `yaml:"setHeaderRoute,omitempty" json:"setHeaderRoute,omitempty"`
}

// Kind names the step's one field (setWeight, pause, analysis,
// setHeaderRoute), or "" when none is set.
func (s Step) Kind() string {
	switch {
	case s.SetWeight != nil:
		return "setWeight"
	case s.Pause != nil:
		return "pause"
	case s.Analysis != nil:
		return "analysis"
	case s.SetHeaderRoute != nil:
		return "setHeaderRoute"
	}
	return ""
}

// kinds counts the step's fields that are set; a valid step has one.
func (s Step) kinds() int {
	return countSet(s.SetWeight != nil, s.Pause != nil, s.Analysis != nil, s.SetHeaderRoute != nil)
}

// Pause is a pause step. Its zero value waits until the rollout is
// promoted. YAML takes a duration (pause: 30s), an empty mapping
// (pause: {}) or {duration: 30s}; JSON takes "30s" or {} and writes the
// same.
type Pause struct {
	// Duration of the pause; zero waits for promotion.
	Duration Duration `yaml:"duration,omitempty" json:"duration,omitempty"`
}

// UntilPromoted reports whether the pause waits for `slipway rollout
// promote` rather than for a duration.
func (p Pause) UntilPromoted() bool { return p.Duration.Duration == 0 }

// String is the duration, or "until promoted".
func (p Pause) String() string {
	if p.UntilPromoted() {
		return "until promoted"
	}
	return p.Duration.String()
}

// pauseRule says how to write a pause, for errors.
const pauseRule = "want a duration like 30s, or {} to wait for promotion"

// UnmarshalYAML reads a duration scalar, {} or {duration: 30s}.
func (p *Pause) UnmarshalYAML(n *yaml.Node) error {
	n = resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		d, err := pauseDuration(n)
		*p = Pause{d}
		return err
	case yaml.MappingNode:
		return p.fromMapping(n)
	}
	return fmt.Errorf("%s; got %s", pauseRule, describe(n))
}

// fromMapping reads {} or {duration: 30s}.
func (p *Pause) fromMapping(n *yaml.Node) error {
	*p = Pause{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Value != "duration" {
			return fmt.Errorf("unknown field %q in pause; %s, or {duration: 30s}", k.Value, pauseRule)
		}
		if isNull(v) {
			continue
		}
		d, err := pauseDuration(v)
		if err != nil {
			return err
		}
		p.Duration = d
	}
	return nil
}

// pauseDuration reads a pause's duration, which must be above zero: a
// zero duration would read as "wait for promotion".
func pauseDuration(n *yaml.Node) (Duration, error) {
	d, err := ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil || d.Duration <= 0 {
		return Duration{}, fmt.Errorf("%s; got %s", pauseRule, describe(n))
	}
	return d, nil
}

// MarshalYAML writes the duration, or {} for a pause until promoted.
func (p Pause) MarshalYAML() (any, error) {
	if p.UntilPromoted() {
		return map[string]any{}, nil
	}
	return p.Duration.String(), nil
}

// MarshalJSON writes "30s", or {} for a pause until promoted.
func (p Pause) MarshalJSON() ([]byte, error) {
	if p.UntilPromoted() {
		return []byte("{}"), nil
	}
	return json.Marshal(p.Duration.String())
}

// UnmarshalJSON reads "30s", {} or {"duration": "30s"}.
func (p *Pause) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		d, err := ParseDuration(s)
		if err != nil {
			return fmt.Errorf("pause: %w", err)
		}
		*p = Pause{d}
		return nil
	}
	var m struct {
		Duration Duration `json:"duration"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("pause: %s: %w", pauseRule, err)
	}
	*p = Pause{m.Duration}
	return nil
}

// StepAnalysis is an analysis step: it judges the canary with the
// metrics of the canary's analysis.
type StepAnalysis struct {
	// Metrics names the metrics to judge; empty judges all of them.
	Metrics []string `yaml:"metrics,omitempty" json:"metrics,omitempty"`
	// Count is how many passing measurements each metric needs for the
	// step to pass (default 3).
	Count int `yaml:"count,omitempty" json:"count,omitempty"`
}

// HeaderRoute sends requests whose header matches to the canary.
type HeaderRoute struct {
	// Header is the request header's name (X-Canary).
	Header string `yaml:"header" json:"header"`
	// Value must equal the header's value; empty matches any value.
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
}

// clone returns a deep copy of c.
func (c *Canary) clone() *Canary {
	if c == nil {
		return nil
	}
	out := *c
	out.Stickiness = clonePtr(c.Stickiness)
	out.Steps = make([]Step, len(c.Steps))
	for i, s := range c.Steps {
		out.Steps[i] = Step{
			SetWeight:      clonePtr(s.SetWeight),
			Pause:          clonePtr(s.Pause),
			SetHeaderRoute: clonePtr(s.SetHeaderRoute),
		}
		if s.Analysis != nil {
			out.Steps[i].Analysis = &StepAnalysis{Metrics: slices.Clone(s.Analysis.Metrics), Count: s.Analysis.Count}
		}
	}
	if c.Steps == nil {
		out.Steps = nil
	}
	out.Analysis = c.Analysis.clone()
	return &out
}
