package flags

import (
	"fmt"
	"maps"

	"github.com/slipway-dev/slipway/spec"
)

// Override is a flag's run-time state, kept apart from the spec (the
// server stores it; `slipway flags enable|disable|kill|rollout|set`
// edit it) and applied on top of the spec's flag when a Set is
// compiled. Its zero value changes nothing.
type Override struct {
	// Enabled, when set, turns the flag on or off whatever the spec says.
	Enabled *bool
	// Killed is the kill switch: the flag serves its off variant to
	// everyone, reason DISABLED, whatever else is set. Meant for
	// operational flags, allowed on any.
	Killed bool
	// Default, when set, replaces the spec's default variant.
	Default string
	// Rollout, when set (non-empty), replaces the spec's percentage split:
	// percentages per variant, summing to 100, at most three decimals.
	Rollout map[string]float64
}

// Apply returns the flag as the override makes it: a defaulted copy with
// Enabled (false when killed), Default and Rollout replaced. f is not
// changed.
func (o Override) Apply(f *spec.Flag) *spec.Flag {
	eff := f.Clone()
	eff.ApplyDefaults()
	if o.Enabled != nil {
		eff.Enabled = new(*o.Enabled)
	}
	if o.Killed {
		eff.Enabled = new(false)
	}
	if o.Default != "" {
		eff.Default = o.Default
	}
	if len(o.Rollout) > 0 {
		eff.Rollout = maps.Clone(o.Rollout)
	}
	return eff
}

// Check reports whether the override fits the flag: a default that is
// one of its variants, a rollout of its variants summing to 100. The
// error is a *spec.Problems (paths flags.KEY.default, flags.KEY.rollout)
// wrapped with the flag's key.
func (o Override) Check(key string, f *spec.Flag) error {
	if f == nil {
		return fmt.Errorf("override of flag %s: %w", key, ErrUnknownFlag)
	}
	eff := o.Apply(f)
	// Rules and prerequisites were checked with the spec; they name
	// segments and flags that are not in this one-flag set.
	eff.Rules, eff.Prerequisites = nil, nil
	if err := spec.ValidateFlags(map[string]*spec.Flag{key: eff}, nil, spec.Options{}); err != nil {
		return fmt.Errorf("override of flag %s: %w", key, err)
	}
	return nil
}
