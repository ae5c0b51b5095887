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
}

// FlagOverride is a flag's run-time state on top of its spec (the stored
// form of flags.Override).
type FlagOverride struct {
	Enabled *bool              `json:"enabled,omitempty"`
	Killed  bool               `json:"killed,omitempty"`
	Default string             `json:"default,omitempty"`
	Rollout map[string]float64 `json:"rollout,omitempty"`
}
