package stack

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// FlagPlan is what applying a spec would change in the flags.
type FlagPlan struct {
	Flags, Segments spec.ChangeSet
	// Warnings are about flags as they are served, like an operational
	// flag stored before flags had off (spec.OffWarnings).
	Warnings []string
}

// Empty reports whether the flags and segments would stay as they are.
func (p FlagPlan) Empty() bool { return p.Flags.Empty() && p.Segments.Empty() }

// currentFlags returns the latest flag configuration, or an empty one.
func currentFlags(tx store.Tx) (store.FlagConfig, error) {
	c, err := tx.GetFlagConfig()
	if errors.Is(err, store.ErrNotFound) {
		return store.FlagConfig{Flags: map[string]*spec.Flag{}, Segments: map[string]*spec.Segment{}}, nil
	}
	return c, err
}

// PlanFlags compares the spec's flags and segments with what is served.
// A spec without flags: or segments: (a file of services only) changes
// none: it leaves the served flags as they are.
func PlanFlags(tx store.Tx, app *spec.App) (FlagPlan, error) {
	if !app.HasFlags() {
		return FlagPlan{}, nil
	}
	cur, err := currentFlags(tx)
	if err != nil {
		return FlagPlan{}, err
	}
	return FlagPlan{Flags: spec.DiffFlags(cur.Flags, app.Flags), Segments: spec.DiffSegments(cur.Segments, app.Segments),
		Warnings: spec.OffWarnings(cur.Flags, app.Flags)}, nil
}

// ApplyFlags makes the spec's flags and segments the served ones, in
// the caller's transaction, as a new flag configuration with an event.
// Flags take effect at once (a release is not a deployment). A flag
// whose definition changed loses its run-time override (the spec says
// what it is now), but not a kill: a kill switch holds until someone
// enables the flag. The others keep their overrides.
func ApplyFlags(tx store.Tx, app *spec.App, src Source, now time.Time) (FlagPlan, error) {
	plan, err := PlanFlags(tx, app)
	if err != nil || plan.Empty() {
		return plan, err
	}
	cur, err := currentFlags(tx)
	if err != nil {
		return plan, err
	}
	next := store.FlagConfig{Revision: cur.Revision, Flags: cloneFlags(app.Flags), Segments: maps.Clone(app.Segments),
		Overrides: map[string]store.FlagOverride{}, Changed: map[string]time.Time{}, CreatedAt: now,
		Reason: fmt.Sprintf("applied from %s: %s", src.File, flagSummary(plan))}
	touched := append(slices.Clone(plan.Flags.Added), plan.Flags.Names()...)
	next.Releases = map[string]*store.FlagRelease{}
	for key, f := range next.Flags {
		next.Changed[key] = cur.Changed[key]
		if !slices.Contains(touched, key) {
			if o, ok := cur.Overrides[key]; ok {
				next.Overrides[key] = o
			}
			if r, ok := cur.Releases[key]; ok {
				next.Releases[key] = r
			}
		} else if f.Progressive != nil {
			startRelease(&next, key, f, now)
		}
		if cur.Overrides[key].Killed { // a kill holds until someone enables the flag
			o := next.Overrides[key]
			o.Killed = true
			next.Overrides[key] = o
		}
		if slices.Contains(touched, key) || next.Changed[key].IsZero() {
			next.Changed[key] = now
		}
	}
	if _, err := flags.Compile(next.Flags, next.Segments, Overrides(next)); err != nil {
		return plan, err
	}
	return plan, saveFlags(tx, next, store.EventFlagsApplied, "", now)
}

func cloneFlags(in map[string]*spec.Flag) map[string]*spec.Flag {
	out := make(map[string]*spec.Flag, len(in))
	for k, f := range in {
		out[k] = f.Clone()
	}
	return out
}

func flagSummary(p FlagPlan) string {
	return fmt.Sprintf("flags %d added, %d changed, %d removed; segments %d added, %d changed, %d removed",
		len(p.Flags.Added), len(p.Flags.Changed), len(p.Flags.Removed),
		len(p.Segments.Added), len(p.Segments.Changed), len(p.Segments.Removed))
}

// Overrides turns a configuration's stored overrides into the engine's.
func Overrides(c store.FlagConfig) map[string]flags.Override {
	out := make(map[string]flags.Override, len(c.Overrides))
	for k, o := range c.Overrides {
		out[k] = flags.Override{Enabled: o.Enabled, Killed: o.Killed, Default: o.Default, Rollout: o.Rollout}
	}
	return out
}

// CompileFlags compiles a stored flag configuration for serving.
func CompileFlags(c store.FlagConfig) (*flags.Set, error) {
	return flags.Compile(c.Flags, c.Segments, Overrides(c))
}

// saveFlags stores next as the new flag configuration with its event.
func saveFlags(tx store.Tx, next store.FlagConfig, typ store.EventType, key string, now time.Time) error {
	saved, err := tx.CreateFlagConfig(next)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("flags revision %d: %s", saved.Revision, next.Reason)
	if key != "" {
		msg = fmt.Sprintf("flag %s (flags revision %d): %s", key, saved.Revision, next.Reason)
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: typ, Message: msg})
	return err
}

// FlagEdit is a run-time change to one flag's override.
type FlagEdit struct {
	// Verb names it in messages: enable, disable, kill, rollout, set.
	Verb string
	// Event is the type of the event that records it.
	Event store.EventType
	// Apply changes the override of flag f; it may refuse (store.Invalidf).
	Apply func(f *spec.Flag, o *store.FlagOverride) error
	// Reason is why, as the person said it.
	Reason string
}

// EditFlag applies a run-time change to one flag as a new flag
// configuration with an event. The change is checked against the flag
// (a rollout of its variants summing to 100, a default among them);
// nothing changes when it does not fit.
func EditFlag(tx store.Tx, key string, e FlagEdit, now time.Time) error {
	cur, err := currentFlags(tx)
	if err != nil {
		return err
	}
	f, ok := cur.Flags[key]
	if !ok {
		return store.NotFoundf("flag %q does not exist%s", key, known(cur.Flags))
	}
	if r := cur.Releases[key]; e.Event == store.EventFlagRollout && r.InFlight() {
		return store.Conflictf("flag %s is being released progressively (step %d, %g%% on %s): its split is the release's; kill the flag to stop it",
			key, r.Step+1, r.Percent, r.Variant)
	}
	next := cur
	next.Overrides = maps.Clone(cur.Overrides)
	if next.Overrides == nil {
		next.Overrides = map[string]store.FlagOverride{}
	}
	o := next.Overrides[key]
	if err := e.Apply(f, &o); err != nil {
		return err
	}
	fo := flags.Override{Enabled: o.Enabled, Killed: o.Killed, Default: o.Default, Rollout: o.Rollout}
	if err := fo.Check(key, f); err != nil {
		return store.Invalidf("%s %s: %v", e.Verb, key, err)
	}
	next.Overrides[key] = o
	next.Changed = maps.Clone(cur.Changed)
	if next.Changed == nil {
		next.Changed = map[string]time.Time{}
	}
	next.Changed[key], next.CreatedAt = now, now
	next.Reason = e.Verb
	if e.Reason != "" {
		next.Reason += ": " + e.Reason
	}
	return saveFlags(tx, next, e.Event, key, now)
}

func known(fs map[string]*spec.Flag) string {
	if len(fs) == 0 {
		return " (no flag is defined: add them under flags: in slipway.yaml and apply)"
	}
	return "; flags: " + strings.Join(slices.Sorted(maps.Keys(fs)), ", ")
}

// startRelease begins a flag's progressive release: its variant served
// to no one until the first step (the rollout controller takes it on).
func startRelease(c *store.FlagConfig, key string, f *spec.Flag, now time.Time) {
	eff := f.Clone()
	eff.ApplyDefaults()
	v := eff.ReleasedVariant()
	c.Releases[key] = &store.FlagRelease{Variant: v, Service: f.Progressive.Service, Started: now}
	if v != eff.Default {
		c.Overrides[key] = store.FlagOverride{Rollout: map[string]float64{v: 0, eff.Default: 100}}
	}
}

// FlagReleasesInFlight returns the keys of flags whose progressive
// release goes on (the resync queues them).
func FlagReleasesInFlight(tx store.Tx) ([]string, error) {
	c, err := tx.GetFlagConfig()
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	var keys []string
	for key, r := range c.Releases {
		if r.InFlight() {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys, err
}

// SaveRelease records a progressive release's new state as a flag
// revision with an event: the release, and the variant's share it
// serves (percent of subjects; the rest get the default).
func SaveRelease(tx store.Tx, key string, r store.FlagRelease, typ store.EventType, reason string, now time.Time) error {
	cur, err := currentFlags(tx)
	if err != nil {
		return err
	}
	f, ok := cur.Flags[key]
	if !ok {
		return store.NotFoundf("flag %q does not exist", key)
	}
	eff := f.Clone()
	eff.ApplyDefaults()
	next := cur
	next.Overrides, next.Releases = maps.Clone(cur.Overrides), maps.Clone(cur.Releases)
	if next.Overrides == nil {
		next.Overrides = map[string]store.FlagOverride{}
	}
	if next.Releases == nil {
		next.Releases = map[string]*store.FlagRelease{}
	}
	o := next.Overrides[key]
	if r.Variant != eff.Default {
		o.Rollout = map[string]float64{r.Variant: r.Percent, eff.Default: 100 - r.Percent}
	}
	next.Overrides[key], next.Releases[key] = o, &r
	next.Changed = maps.Clone(cur.Changed)
	if next.Changed == nil {
		next.Changed = map[string]time.Time{}
	}
	next.Changed[key], next.CreatedAt, next.Reason = now, now, reason
	return saveFlags(tx, next, typ, key, now)
}
