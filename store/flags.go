package store

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// FlagConfig is one revision of the app's feature flags: the flags and
// segments as the spec last declared them, and the run-time overrides
// that `slipway flags` edits on top. Every change, applied or edited,
// makes a new revision (with an event); the latest is what is served.
type FlagConfig struct {
	// Revision numbers the configs from 1; CreateFlagConfig sets it.
	Revision  int                      `json:"revision"`
	Flags     map[string]*spec.Flag    `json:"flags"`
	Segments  map[string]*spec.Segment `json:"segments,omitempty"`
	Overrides map[string]FlagOverride  `json:"overrides,omitempty"`
	// Reason says what changed, and who changed it.
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"createdAt"`
	// Changed is when each flag (its spec or its override) last changed,
	// for stale-flag reports.
	Changed map[string]time.Time `json:"changed,omitempty"`
	// Releases are the progressive releases of flags, by key.
	Releases map[string]*FlagRelease `json:"releases,omitempty"`
}

// FlagOverride is a flag's run-time state on top of its spec (the stored
// form of flags.Override).
type FlagOverride struct {
	Enabled *bool              `json:"enabled,omitempty"`
	Killed  bool               `json:"killed,omitempty"`
	Default string             `json:"default,omitempty"`
	Rollout map[string]float64 `json:"rollout,omitempty"`
}

// FlagRelease is a progressive flag release: the variant's share raised
// step by step while the service that reads the flag is judged. It is
// written when its step or outcome changes (each a flag revision); the
// analysis of the current step is kept with it at each of those writes.
type FlagRelease struct {
	Variant string `json:"variant"`
	Service string `json:"service"`
	// Step is the index of the current step; len(steps) once done.
	// StepStarted is zero while the release waits for the service's
	// rollout to be done.
	Step        int       `json:"step"`
	StepStarted time.Time `json:"stepStarted,omitzero"`
	Percent     float64   `json:"percent"`
	// Analysis is the current step's analysis, as it stood at the last
	// write; Done holds the analyses of the steps that passed.
	Analysis *AnalysisRun   `json:"analysis,omitempty"`
	Done     []*AnalysisRun `json:"done,omitempty"`
	Outcome  CanaryOutcome  `json:"outcome,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Started  time.Time      `json:"started"`
	Ended    time.Time      `json:"ended,omitzero"`
}

// InFlight reports whether the release goes on.
func (r *FlagRelease) InFlight() bool { return r != nil && r.Outcome == "" }
