package rollout

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/config"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// deliveryObs is what a config delivery's pass observed: the config's
// latest version, the instances of the service that reads it (ready
// ones, by ID) and the version each reported applied.
type deliveryObs struct {
	latest    int
	instances []string
	applied   map[string]int
	// release is the revision the delivery goes with, when it does.
	release releaseObs
	now     time.Time
}

// decideDelivery is the pure step of a config delivery: the delivery as
// it should be after this pass, and the event that records the change
// ("" when none). d is nil before the config's first delivery.
//
// The first version needs no delivery (instances read it when they
// start). A version that goes with a revision follows it (decideRelease). A newer version starts a delivery from what every instance
// has (effective); each step gives it to more instances (config.Targets)
// once every instance given it so far applied it and the interval
// passed; when all have it, it bakes, then succeeds. An instance that
// does not apply its version within config.AckDeadline rolls the
// delivery back, and so does its analysis (d.Analysis, measured by the
// caller before this step) when it fails or is inconclusive: nobody
// pauses a config delivery for a person to look. With an analysis, a
// step is taken, and the bake ends, only once every metric it can
// measure has judged data taken since the step began.
func decideDelivery(d *store.ConfigDelivery, def spec.ConfigDelivery, name string, o deliveryObs) (store.ConfigDelivery, store.EventType) {
	if d == nil {
		return store.ConfigDelivery{Name: name, Version: o.latest, Phase: store.DeliverySucceeded, Started: o.now, Ended: o.now,
			Reason: "the first version: instances read it as they start"}, ""
	}
	next := *d
	next.Applied = nonNilApplied(d.Applied, o.applied)
	if d.Revision != 0 && d.Version == o.latest {
		return decideRelease(next, o.release, o.now)
	}
	if d.Version != o.latest {
		next = store.ConfigDelivery{Name: name, StoreVersion: d.StoreVersion, Version: o.latest, Previous: d.Effective(),
			Phase: store.DeliveryProgressing, Started: o.now, Applied: next.Applied}
		if def.Analysis != nil {
			next.Analysis = NewRun(def.Analysis, nil, 0, -1, o.now)
		}
	}
	if !next.Phase.Terminal() && next.Analysis != nil && next.Analysis.Phase.Terminal() && next.Analysis.Phase != analysis.PhaseSuccessful {
		return analysisRollBack(next, o.now)
	}
	switch next.Phase {
	case store.DeliveryProgressing:
		return stepDelivery(next, def, o)
	case store.DeliveryBaking:
		if late := notApplied(next, o.instances, def, o.now); late != "" {
			return rollBack(next, late, o.now)
		}
		if o.now.Sub(next.StepStarted) >= def.Bake.Duration && stepJudged(next, def, false) {
			endRun(&next, o.now)
			next.Phase, next.Ended, next.Reason = store.DeliverySucceeded, o.now, "every instance applied it and it baked"
			return next, store.EventConfigDeliverySucceeded
		}
	}
	return next, ""
}

// stepDelivery takes a step of a delivery in progress, or ends it.
func stepDelivery(d store.ConfigDelivery, def spec.ConfigDelivery, o deliveryObs) (store.ConfigDelivery, store.EventType) {
	if late := notApplied(d, d.Targets, def, o.now); late != "" {
		return rollBack(d, late, o.now)
	}
	for _, id := range d.Targets {
		if d.Applied[id] != d.Version {
			return d, "" // wait for every instance given it to apply it
		}
	}
	n := len(o.instances)
	all := covered(d.Targets, o.instances)
	if d.Step > 0 && !stepJudged(d, def, !all) {
		return d, "" // the analysis has yet to look at this step
	}
	if all {
		if def.Bake.Duration > 0 {
			d.Phase, d.StepStarted, d.Reason = store.DeliveryBaking, o.now, fmt.Sprintf("every instance applied it: baking %s", def.Bake)
			return d, store.EventConfigDeliveryStep
		}
		d.Phase, d.Ended, d.Reason = store.DeliverySucceeded, o.now, "every instance applied it"
		endRun(&d, o.now)
		return d, store.EventConfigDeliverySucceeded
	}
	if d.Step > 0 && o.now.Sub(d.StepStarted) < config.Interval(def) {
		return d, ""
	}
	d.Step++
	d.StepStarted = o.now
	d.Targets = grow(d.Targets, o.instances, config.Targets(def, n, d.Step))
	d.Reason = fmt.Sprintf("step %d: %d of %d instances", d.Step, len(d.Targets), n)
	return d, store.EventConfigDeliveryStep
}

// notApplied names an instance of ids given the delivery's version that
// has not reported it past the deadline ("" when none).
func notApplied(d store.ConfigDelivery, ids []string, def spec.ConfigDelivery, now time.Time) string {
	if now.Sub(d.StepStarted) < config.AckDeadline(def) {
		return ""
	}
	for _, id := range ids {
		if d.Applied[id] != d.Version {
			return id
		}
	}
	return ""
}

func rollBack(d store.ConfigDelivery, late string, now time.Time) (store.ConfigDelivery, store.EventType) {
	d.Phase, d.Ended = store.DeliveryRolledBack, now
	d.Reason = fmt.Sprintf("instance %s did not apply %s in time: back to %s", late, config.Version(d.Version), config.Version(d.Previous))
	endRun(&d, now)
	return d, store.EventConfigDeliveryRolledBack
}

// analysisRollBack rolls a delivery back on its analysis's verdict.
func analysisRollBack(d store.ConfigDelivery, now time.Time) (store.ConfigDelivery, store.EventType) {
	d.Phase, d.Ended = store.DeliveryRolledBack, now
	d.Reason = fmt.Sprintf("analysis %s: %s: back to %s", strings.ToLower(d.Analysis.Phase.String()), d.Analysis.Reason, config.Version(d.Previous))
	return d, store.EventConfigDeliveryRolledBack
}

// endRun ends a delivery's analysis run with it: it takes no more
// measurements, and keeps those it took.
func endRun(d *store.ConfigDelivery, now time.Time) {
	if d.Analysis == nil || !d.Analysis.Ended.IsZero() {
		return
	}
	run := d.Analysis.Clone()
	run.Ended = now
	d.Analysis = run
}

// stepJudged reports whether the delivery's analysis has judged the step
// that began at d.StepStarted: each metric it can measure (a comparison
// only while some instances are on the old version: baseline) has a
// measurement with data over a window that began after the step did,
// taken an interval and a second (the router's windows end at the last
// whole second) after it. No analysis judges at once.
func stepJudged(d store.ConfigDelivery, def spec.ConfigDelivery, baseline bool) bool {
	if d.Analysis == nil || def.Analysis == nil {
		return true
	}
	since := d.StepStarted.Add(def.Analysis.Interval.Duration + time.Second)
	for _, mr := range d.Analysis.Metrics {
		m, ok := def.Analysis.Metric(mr.Name)
		if !ok || !measurable(m, baseline) {
			continue
		}
		if !slices.ContainsFunc(mr.Measurements, func(x analysis.Measurement) bool {
			return !x.NoData && x.Verdict != analysis.Error && !x.Time.Before(since)
		}) {
			return false
		}
	}
	return true
}

// measurable reports whether a delivery's analysis measures m: a
// comparison needs instances on both versions, and the sequential judge
// follows revisions, not instances (the spec refuses it for a config).
func measurable(m spec.Metric, baseline bool) bool {
	return !m.Sequential() && (baseline || !m.Compares())
}

// covered reports whether every instance is a target.
func covered(targets, instances []string) bool {
	for _, id := range instances {
		if !slices.Contains(targets, id) {
			return false
		}
	}
	return true
}

// grow adds instances, in order, to targets (keeping those still
// running) until it has want of them.
func grow(targets, instances []string, want int) []string {
	var out []string
	for _, id := range targets {
		if slices.Contains(instances, id) {
			out = append(out, id)
		}
	}
	for _, id := range instances {
		if len(out) >= want {
			break
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// nonNilApplied merges what instances reported into what was recorded.
func nonNilApplied(recorded, seen map[string]int) map[string]int {
	out := make(map[string]int, len(recorded)+len(seen))
	for id, v := range recorded {
		out[id] = v
	}
	for id, v := range seen {
		out[id] = v
	}
	return out
}
