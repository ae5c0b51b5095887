package spec

import (
	"maps"
	"slices"
	"time"
)

// Flag is a feature flag (the `flags:` section): typed variants, and
// what decides which one a subject gets. Package flags evaluates it in
// this order: disabled -> prerequisites -> rules in order -> percentage
// rollout -> default.
//
//	new-checkout:
//	  class: release
//	  type: boolean
//	  variants: {on: true, off: false}
//	  default: off
//	  off: off
//	  rules:
//	    - if: 'ctx.country == "NL" && ctx.plan in ["pro", "team"]'
//	      serve: on
//	    - segment: beta-testers
//	      serve: on
//	  rollout: {on: 25, off: 75}
//	  stickiness: targetingKey
//	  owner: payments-team
//
// A disabled or killed flag serves its Off variant (LaunchDarkly's off
// variation), not its default: a kill switch whose default is on still
// switches off. See OffVariant for what a flag without off serves.
type Flag struct {
	// Key is the key under `flags:`; not part of the YAML body.
	Key string `yaml:"-" json:"key"`
	// Class says what the flag is for: release, experiment, permission
	// or operational. It sets how long the flag may live (StaleAfter).
	Class FlagClass `yaml:"class" json:"class"`
	// Type is the type of every variant's value: boolean, string,
	// integer, float or object.
	Type FlagType `yaml:"type" json:"type"`
	// Description says what the flag changes, for people.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Owner is who to ask about the flag (a team).
	Owner string `yaml:"owner,omitempty" json:"owner,omitempty"`
	// Enabled false serves the Off variant to everyone, with reason
	// DISABLED (default true).
	Enabled *bool `yaml:"enabled,omitempty" json:"enabled"`
	// Variants name the values the flag can take. A boolean flag without
	// variants gets {on: true, off: false}.
	Variants map[string]FlagValue `yaml:"variants,omitempty" json:"variants,omitempty"`
	// Default is the variant served when nothing else decides.
	Default string `yaml:"default" json:"default"`
	// Off is the variant served when the flag is disabled or killed. A
	// boolean flag defaults it to its variant whose value is false; an
	// operational flag of another type must name it (flags_off.go).
	Off string `yaml:"off,omitempty" json:"off,omitempty"`
	// Prerequisites must all evaluate to their variant for the rules and
	// the rollout to apply; otherwise the default is served.
	Prerequisites []Prerequisite `yaml:"prerequisites,omitempty" json:"prerequisites,omitempty"`
	// Rules are tried in order; the first that matches serves its variant.
	Rules []FlagRule `yaml:"rules,omitempty" json:"rules,omitempty"`
	// Rollout splits everyone no rule matched by percentage, per variant
	// (summing to 100, up to three decimals: 0.125 is allowed). Empty
	// serves the default instead.
	Rollout map[string]float64 `yaml:"rollout,omitempty" json:"rollout,omitempty"`
	// Stickiness is the context attribute whose value places a subject
	// in the rollout (default targetingKey): the same value always gets
	// the same variant for a given split.
	Stickiness string `yaml:"stickiness,omitempty" json:"stickiness,omitempty"`
	// StaleAfter is how long the flag may serve one variant to everyone,
	// or go unevaluated, before it is reported stale: like 30d, 36h or
	// never (default by class: release 30d, experiment 90d, permission
	// and operational never).
	StaleAfter Period `yaml:"staleAfter,omitempty" json:"staleAfter"`
	// Progressive, when set, releases a variant step by step under
	// analysis (flags_progressive.go).
	Progressive *FlagProgressive `yaml:"progressive,omitempty" json:"progressive,omitempty"`
}

// FlagRule serves its variant to the subjects it matches: those for
// which If holds and who are in Segment. At least one of the two is set;
// with both, both must match.
type FlagRule struct {
	// If is a CEL condition over the evaluation context, ctx:
	// ctx.country == "NL" && ctx.plan in ["pro", "team"].
	If string `yaml:"if,omitempty" json:"if,omitempty"`
	// Segment names an entry of `segments:`.
	Segment string `yaml:"segment,omitempty" json:"segment,omitempty"`
	// Serve is the variant served on a match.
	Serve string `yaml:"serve" json:"serve"`
}

// Prerequisite is met when Flag, evaluated for the same context, serves
// Variant.
type Prerequisite struct {
	Flag    string `yaml:"flag" json:"flag"`
	Variant string `yaml:"variant" json:"variant"`
}

// Segment is a named condition that rules of several flags share (the
// `segments:` section).
type Segment struct {
	// Name is the key under `segments:`; not part of the YAML body.
	Name string `yaml:"-" json:"name"`
	// If is a CEL condition over ctx, like ctx.email.endsWith("@shop.example").
	If string `yaml:"if" json:"if"`
	// Description says who is in the segment, for people.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// FlagClass says what a flag is for.
type FlagClass string

// The flag classes.
const (
	// ClassRelease flags ship code dark and release it; they are meant
	// to be removed once the release is done (stale after 30 days).
	ClassRelease FlagClass = "release"
	// ClassExperiment flags split users between variants to compare
	// them; they end with the experiment (stale after 90 days).
	ClassExperiment FlagClass = "experiment"
	// ClassPermission flags gate entitlements; they never expire.
	ClassPermission FlagClass = "permission"
	// ClassOperational flags are kill switches and tuning knobs; they
	// never expire and can be killed at once (served their off variant).
	ClassOperational FlagClass = "operational"
)

// FlagClasses lists the classes, for errors and docs.
func FlagClasses() []string {
	return []string{string(ClassRelease), string(ClassExperiment), string(ClassPermission), string(ClassOperational)}
}

// DefaultStaleAfter returns how long a flag of the class may serve one
// variant to everyone, or go unevaluated, before it is stale; Never for
// permission and operational flags.
func (c FlagClass) DefaultStaleAfter() Period {
	switch c {
	case ClassRelease:
		return Period{30 * Day}
	case ClassExperiment:
		return Period{90 * Day}
	}
	return Never()
}

// Flag defaults.
const (
	// DefaultStickiness is the attribute a rollout buckets by.
	DefaultStickiness = "targetingKey"
	// VariantOn and VariantOff are a boolean flag's variants when it
	// names none.
	VariantOn  = "on"
	VariantOff = "off"
)

// ApplyDefaults sets every field the flag left out to its effective
// value, and converts variant values to their type's Go type (see
// FlagType.Convert). It is idempotent.
func (f *Flag) ApplyDefaults() {
	if f.Enabled == nil {
		f.Enabled = ptr(true)
	}
	if f.Stickiness == "" {
		f.Stickiness = DefaultStickiness
	}
	if f.StaleAfter.Duration == 0 && f.Class.known() {
		f.StaleAfter = f.Class.DefaultStaleAfter()
	}
	if f.Type == TypeBoolean && len(f.Variants) == 0 {
		f.Variants = map[string]FlagValue{VariantOn: {true}, VariantOff: {false}}
	}
	for name, v := range f.Variants {
		if t, err := f.Type.Convert(v.Value); err == nil {
			f.Variants[name] = FlagValue{t}
		}
	}
	if f.Off == "" {
		f.Off, _ = f.implicitOff()
	}
	if p := f.Progressive; p != nil && p.Analysis != nil {
		p.Analysis.applyDefaults()
	}
}

// IsEnabled reports whether the flag is on: Enabled, which is true
// when not written.
func (f *Flag) IsEnabled() bool { return f.Enabled == nil || *f.Enabled }

// VariantNames returns the flag's variant names in order, including a
// boolean flag's implicit on and off.
func (f *Flag) VariantNames() []string {
	if f.Type == TypeBoolean && len(f.Variants) == 0 {
		return []string{VariantOff, VariantOn}
	}
	return sortedNames(f.Variants)
}

// Clone returns a deep copy of f: changing the copy never changes f.
func (f *Flag) Clone() *Flag {
	if f == nil {
		return nil
	}
	c := *f
	c.Enabled = clonePtr(f.Enabled)
	if f.Variants != nil {
		c.Variants = make(map[string]FlagValue, len(f.Variants))
		for name, v := range f.Variants {
			c.Variants[name] = FlagValue{cloneValue(v.Value)}
		}
	}
	c.Prerequisites = slices.Clone(f.Prerequisites)
	c.Rules = slices.Clone(f.Rules)
	c.Rollout = maps.Clone(f.Rollout)
	c.Progressive = f.Progressive.clone()
	return &c
}

// Clone returns a copy of s.
func (s *Segment) Clone() *Segment { return clonePtr(s) }

// applyFlagDefaults sets each flag's Key and each segment's Name from
// its key, and the flags' defaults.
func (a *App) applyFlagDefaults() {
	for key, f := range a.Flags {
		if f != nil {
			f.Key = key
			f.ApplyDefaults()
		}
	}
	for name, s := range a.Segments {
		if s != nil {
			s.Name = name
		}
	}
}

// cloneFlags deep-copies the flags and segments of an app.
func (a *App) cloneFlags() (map[string]*Flag, map[string]*Segment) {
	var flags map[string]*Flag
	if a.Flags != nil {
		flags = make(map[string]*Flag, len(a.Flags))
		for k, f := range a.Flags {
			flags[k] = f.Clone()
		}
	}
	var segments map[string]*Segment
	if a.Segments != nil {
		segments = make(map[string]*Segment, len(a.Segments))
		for k, s := range a.Segments {
			segments[k] = s.Clone()
		}
	}
	return flags, segments
}

// Day is 24 hours, the unit of Period.
const Day = 24 * time.Hour
