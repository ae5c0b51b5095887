package rollout

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

func instanceIDs(n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("web-1-%02d", i))
	}
	return ids
}

// appliedBy reports version v applied by the first k of ids.
func appliedBy(ids []string, k, v int) map[string]int {
	out := map[string]int{}
	for _, id := range ids[:k] {
		out[id] = v
	}
	return out
}

// TestDeliveryStepsOnAFakeClock: a linear delivery to 8 instances takes
// 4 steps a minute apart, each once the instances given the version
// applied it, bakes 5 minutes, and succeeds; a new instance during the
// delivery gets the old version until a step reaches it.
func TestDeliveryStepsOnAFakeClock(t *testing.T) {
	def := spec.ConfigDelivery{Strategy: spec.ConfigStrategy{Linear: &spec.LinearDelivery{Steps: 4, Interval: spec.Duration{Duration: time.Minute}}},
		Bake: spec.Duration{Duration: 5 * time.Minute}}
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ids := instanceIDs(8)
	d, ev := decideDelivery(nil, def, "s", deliveryObs{latest: 1, instances: ids, now: t0})
	if d.Phase != store.DeliverySucceeded || ev != "" || d.Desired(ids[0], 0) != 1 {
		t.Fatalf("first version: %+v %s", d, ev)
	}
	type tick struct {
		at      time.Duration
		applied int // instances reporting version 2
		phase   store.ConfigPhase
		targets int
		event   store.EventType
	}
	script := []tick{
		{0, 0, store.DeliveryProgressing, 2, store.EventConfigDeliveryStep},
		{30 * time.Second, 2, store.DeliveryProgressing, 2, ""}, // the interval holds
		{time.Minute, 2, store.DeliveryProgressing, 4, store.EventConfigDeliveryStep},
		{2 * time.Minute, 4, store.DeliveryProgressing, 6, store.EventConfigDeliveryStep},
		{3 * time.Minute, 6, store.DeliveryProgressing, 8, store.EventConfigDeliveryStep},
		{3*time.Minute + time.Second, 8, store.DeliveryBaking, 8, store.EventConfigDeliveryStep},
		{7 * time.Minute, 8, store.DeliveryBaking, 8, ""},
		{8*time.Minute + time.Second, 8, store.DeliverySucceeded, 8, store.EventConfigDeliverySucceeded},
	}
	for _, s := range script {
		d, ev = decideDelivery(&d, def, "s", deliveryObs{latest: 2, instances: ids, applied: appliedBy(ids, s.applied, 2), now: t0.Add(s.at)})
		if d.Phase != s.phase || len(d.Targets) != s.targets || ev != s.event {
			t.Fatalf("at %s: %s %d targets %q, want %s %d %q (%s)", s.at, d.Phase, len(d.Targets), ev, s.phase, s.targets, s.event, d.Reason)
		}
		if s.phase == store.DeliveryProgressing && s.targets < 8 && (d.Desired(ids[7], 0) != 1 || d.Desired(ids[0], 0) != 2) {
			t.Fatalf("at %s: desired %d and %d", s.at, d.Desired(ids[0], 0), d.Desired(ids[7], 0))
		}
	}
	if d.Previous != 1 || d.Version != 2 || d.Desired(ids[7], 0) != 2 {
		t.Errorf("succeeded: %+v", d)
	}
}

// TestDeliveryRollsBackAnInstanceThatDoesNotApply: an instance given the
// version that does not report it within the deadline sends every
// instance back to the previous version, with the reason.
func TestDeliveryRollsBackAnInstanceThatDoesNotApply(t *testing.T) {
	def := spec.ConfigDelivery{Strategy: spec.ConfigStrategy{Exponential: &spec.ExponentialDelivery{Factor: 2, Interval: spec.Duration{Duration: 10 * time.Second}}}}
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ids := instanceIDs(4)
	d := store.ConfigDelivery{Name: "s", Version: 3, Phase: store.DeliverySucceeded}
	d, _ = decideDelivery(&d, def, "s", deliveryObs{latest: 4, instances: ids, now: t0})
	if d.Previous != 3 || len(d.Targets) != 1 {
		t.Fatalf("first step: %+v", d)
	}
	d, ev := decideDelivery(&d, def, "s", deliveryObs{latest: 4, instances: ids, applied: map[string]int{ids[0]: 3}, now: t0.Add(29 * time.Second)})
	if d.Phase != store.DeliveryProgressing || ev != "" {
		t.Fatalf("before the deadline: %+v %s", d, ev)
	}
	d, ev = decideDelivery(&d, def, "s", deliveryObs{latest: 4, instances: ids, applied: map[string]int{ids[0]: 3}, now: t0.Add(30 * time.Second)})
	if d.Phase != store.DeliveryRolledBack || ev != store.EventConfigDeliveryRolledBack || d.Desired(ids[0], 0) != 3 ||
		d.Reason != "instance web-1-00 did not apply v4 in time: back to v3" {
		t.Fatalf("past the deadline: %+v %s", d, ev)
	}
	// A newer version starts from what the instances have: v3.
	d, _ = decideDelivery(&d, def, "s", deliveryObs{latest: 5, instances: ids, now: t0.Add(time.Minute)})
	if d.Phase != store.DeliveryProgressing || d.Previous != 3 || d.Version != 5 {
		t.Fatalf("the next version: %+v", d)
	}
	// All at once with no instances succeeds at once.
	d, ev = decideDelivery(&d, spec.ConfigDelivery{}, "s", deliveryObs{latest: 6, now: t0.Add(2 * time.Minute)})
	if d.Phase != store.DeliverySucceeded || ev != store.EventConfigDeliverySucceeded {
		t.Fatalf("no instances: %+v %s", d, ev)
	}
}

// TestDeliveryWaitsForItsAnalysisAndRollsBackOnIt: with an analysis, a
// step is taken only once each metric judged data since the last one
// began (a comparison only while instances remain on the old version),
// and a failed analysis rolls the delivery back with its reason.
func TestDeliveryWaitsForItsAnalysisAndRollsBackOnIt(t *testing.T) {
	sec := spec.Duration{Duration: time.Second}
	a := &spec.Analysis{Interval: sec, Deadline: spec.Duration{Duration: time.Minute}, FailureLimit: new(int), InconclusiveLimit: new(int),
		ConsecutiveErrorLimit: new(int), Metrics: []spec.Metric{
			{Name: "ok", Provider: spec.ProviderRouter, Metric: "successRate", SuccessCondition: "result >= 0.99"},
			{Name: "vs", Provider: spec.ProviderRouter, Metric: "latencyP99", Compare: spec.CompareBaseline}}}
	def := spec.ConfigDelivery{Strategy: spec.ConfigStrategy{Linear: &spec.LinearDelivery{Steps: 2, Interval: sec}}, Analysis: a}
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	ids := instanceIDs(4)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	obs := func(s int) deliveryObs {
		return deliveryObs{latest: 2, instances: ids, applied: appliedBy(ids, 2, 2), now: at(s)}
	}
	d := store.ConfigDelivery{Name: "s", Version: 1, Phase: store.DeliverySucceeded}
	d, _ = decideDelivery(&d, def, "s", deliveryObs{latest: 2, instances: ids, now: t0})
	if d.Analysis == nil || len(d.Analysis.Metrics) != 2 || d.Step != 1 {
		t.Fatalf("the first step starts the analysis: %+v", d)
	}
	pass := analysis.Measurement{Verdict: analysis.Pass}
	measured := func(d store.ConfigDelivery, s int, ms map[string]analysis.Measurement) store.ConfigDelivery {
		d.Analysis = d.Analysis.Clone()
		Record(d.Analysis, a, ms, at(s))
		return d
	}
	if next, ev := decideDelivery(&d, def, "s", obs(5)); next.Step != 1 || ev != "" {
		t.Fatalf("no measurement yet, the interval passed: step %d %s", next.Step, ev)
	}
	d = measured(d, 1, map[string]analysis.Measurement{"ok": pass, "vs": pass})
	if next, _ := decideDelivery(&d, def, "s", obs(5)); next.Step != 1 {
		t.Fatalf("a measurement of a window from before the step judged it: step %d", next.Step)
	}
	d = measured(d, 5, map[string]analysis.Measurement{"ok": pass})
	if next, _ := decideDelivery(&d, def, "s", obs(5)); next.Step != 1 {
		t.Fatalf("the comparison has not judged yet: step %d", next.Step)
	}
	d = measured(d, 6, map[string]analysis.Measurement{"ok": pass, "vs": pass})
	d, _ = decideDelivery(&d, def, "s", obs(6))
	if d.Step != 2 || len(d.Targets) != 4 {
		t.Fatalf("judged: step %d, %d targets", d.Step, len(d.Targets))
	}
	// The last step: no instance on the old version, so only "ok" is
	// needed; it fails, and the delivery goes back to v1.
	d = measured(d, 8, map[string]analysis.Measurement{"ok": {Verdict: analysis.Fail, Value: 0.7, Reason: "result >= 0.99 is false (0.7)"}})
	d, ev := decideDelivery(&d, def, "s", deliveryObs{latest: 2, instances: ids, applied: appliedBy(ids, 4, 2), now: at(8)})
	if d.Phase != store.DeliveryRolledBack || ev != store.EventConfigDeliveryRolledBack || d.Desired(ids[0], 0) != 1 ||
		!strings.HasPrefix(d.Reason, "analysis failed: ok: ") || !strings.HasSuffix(d.Reason, ": back to v1") || d.Analysis.Ended.IsZero() {
		t.Fatalf("a failed analysis: %+v %s", d, ev)
	}
}

// TestDecideRelease: a delivery that goes with a revision follows its
// state, and takes no step of its own.
func TestDecideRelease(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	inFlight := store.ConfigDelivery{Name: "s", Version: 2, Previous: 1, Revision: 3, Phase: store.DeliveryProgressing, Started: now}
	cases := []struct {
		name   string
		d      store.ConfigDelivery
		obs    releaseObs
		phase  store.ConfigPhase
		ev     store.EventType
		reason string
	}{
		{"in release", inFlight, releaseObs{service: "web", state: store.RevisionPending}, store.DeliveryProgressing, "", ""},
		{"promoted", inFlight, releaseObs{service: "web", state: store.RevisionStable}, store.DeliverySucceeded,
			store.EventConfigDeliverySucceeded, "revision 3 of web promoted: every instance reads v2"},
		{"superseded since", inFlight, releaseObs{service: "web", state: store.RevisionSuperseded}, store.DeliverySucceeded,
			store.EventConfigDeliverySucceeded, "revision 3 of web promoted: every instance reads v2"},
		{"rolled back", inFlight, releaseObs{service: "web", state: store.RevisionRolledBack, reason: "analysis failed: ok 0.7"},
			store.DeliveryRolledBack, store.EventConfigDeliveryRolledBack, "revision 3 of web rolled back: analysis failed: ok 0.7: back to v1"},
		{"gone", inFlight, releaseObs{service: "web", gone: true}, store.DeliveryRolledBack,
			store.EventConfigDeliveryRolledBack, "revision 3 of web is gone: back to v1"},
		{"ended already", store.ConfigDelivery{Name: "s", Version: 2, Previous: 1, Revision: 3, Phase: store.DeliveryRolledBack, Reason: "r"},
			releaseObs{service: "web", state: store.RevisionStable}, store.DeliveryRolledBack, "", "r"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, ev := decideDelivery(&c.d, spec.ConfigDelivery{}, "s", deliveryObs{latest: 2, release: c.obs, now: now.Add(time.Minute),
				instances: []string{"a", "b"}, applied: map[string]int{"a": 2}})
			if d.Phase != c.phase || ev != c.ev || d.Reason != c.reason || d.Step != 0 || len(d.Targets) != 0 || d.Applied["a"] != 2 {
				t.Fatalf("got %s %q %q step %d targets %v applied %v", d.Phase, ev, d.Reason, d.Step, d.Targets, d.Applied)
			}
			if ev != "" && !d.Ended.Equal(now.Add(time.Minute)) {
				t.Errorf("ended %v", d.Ended)
			}
		})
	}
}
