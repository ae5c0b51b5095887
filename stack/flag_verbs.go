package stack

import (
	"maps"
	"slices"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// The run-time flag edits `slipway flags` makes (EditFlag applies them).

// EnableFlag turns a flag on (and lifts a kill).
func EnableFlag(reason string) FlagEdit {
	return FlagEdit{Verb: "enable", Event: store.EventFlagEnabled, Reason: reason, Apply: func(_ *spec.Flag, o *store.FlagOverride) error {
		o.Enabled, o.Killed = new(true), false
		return nil
	}}
}

// DisableFlag turns a flag off: it serves its off variant, reason
// DISABLED.
func DisableFlag(reason string) FlagEdit {
	return FlagEdit{Verb: "disable", Event: store.EventFlagDisabled, Reason: reason, Apply: func(_ *spec.Flag, o *store.FlagOverride) error {
		o.Enabled = new(false)
		return nil
	}}
}

// KillFlag is the kill switch: the flag serves its off variant to
// everyone at once, whatever else is set, until enabled again.
func KillFlag(reason string) FlagEdit {
	return FlagEdit{Verb: "kill", Event: store.EventFlagKilled, Reason: reason, Apply: func(_ *spec.Flag, o *store.FlagOverride) error {
		o.Killed = true
		return nil
	}}
}

// SetFlagDefault makes variant the flag's default.
func SetFlagDefault(variant, reason string) FlagEdit {
	return FlagEdit{Verb: "set", Event: store.EventFlagSet, Reason: reason, Apply: func(_ *spec.Flag, o *store.FlagOverride) error {
		o.Default = variant
		return nil
	}}
}

// RolloutFlag sets a flag's percentage split. A split names variants
// and percentages summing to 100. A bare percentage (split nil) is for
// a flag of two variants: that share goes to the variant that is not the
// default, the rest to the default.
func RolloutFlag(split map[string]float64, percent float64, reason string) FlagEdit {
	return FlagEdit{Verb: "rollout", Event: store.EventFlagRollout, Reason: reason, Apply: func(f *spec.Flag, o *store.FlagOverride) error {
		if split != nil {
			o.Rollout = maps.Clone(split)
			return nil
		}
		if percent < 0 || percent > 100 {
			return store.Invalidf("rollout %s: %v%% is not a percentage (0..100)", f.Key, percent)
		}
		eff := f.Clone()
		eff.ApplyDefaults()
		def := eff.Default
		if o.Default != "" {
			def = o.Default
		}
		names := slices.Sorted(maps.Keys(eff.Variants))
		if len(names) != 2 {
			return store.Invalidf("rollout %s: a bare percentage needs a flag of two variants; %s has %d (%v): give the split, like on=25,off=75",
				f.Key, f.Key, len(names), names)
		}
		other := names[0]
		if other == def {
			other = names[1]
		}
		o.Rollout = map[string]float64{other: percent, def: 100 - percent}
		return nil
	}}
}
