package rollout

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// The decide functions (Advance, AdvanceFlag, DecideParallel) are pure
// for any caller: they edit nothing reachable from their inputs, and
// what they return shares no memory with them. These tests take many
// states, keep each input's JSON from before the call, and check that
// neither the call nor scribbling over everything the result reaches
// changes it.

// purityCanarySpec has every kind of step: 0 setWeight 10, 1 pause 30s,
// 2 pause until promoted, 3 analysis, 4 setHeaderRoute, 5 setWeight 50;
// and a background analysis.
func purityCanarySpec(t *testing.T) *spec.Canary {
	return canarySpec(t, `[{setWeight: 10}, {pause: 30s}, {pause: {}}, {analysis: {count: 2}}, {setHeaderRoute: {header: X-Canary, value: "yes"}}, {setWeight: 50}]`)
}

// measuredRun is an analysis run with a measured metric: tallies,
// measurements with stats, and room in its slices to append into.
func measuredRun(step int, phase analysis.Phase) *store.AnalysisRun {
	ms := make([]analysis.Measurement, 0, 4)
	ms = append(ms, analysis.Measurement{Metric: "ok", Time: t0, Value: 0.999, Samples: 120, Verdict: analysis.Pass,
		Reason: "fine", Stats: map[string]float64{"value": 0.999}})
	metrics := make([]store.MetricRun, 0, 2)
	metrics = append(metrics, store.MetricRun{Name: "ok", Measurements: ms, Taken: 1, LastData: t0,
		Tally: analysis.Tally{Limits: analysis.Limits{FailureLimit: 1, Count: 2}, Passes: 1, Phase: phase}})
	return &store.AnalysisRun{Started: t0, NextAt: t0.Add(5 * time.Second), Step: step, Metrics: metrics,
		Phase: phase, Reason: "ok: " + phase.String()}
}

// TestAdvanceEditsNothingItIsGiven runs Advance over canaries in every
// kind of step and state.
func TestAdvanceEditsNothingItIsGiven(t *testing.T) {
	sc := purityCanarySpec(t)
	bg := func(ph analysis.Phase) *store.AnalysisRun { return measuredRun(-1, ph) }
	at := func(step int, mod func(*store.Canary)) store.Canary {
		c := store.Canary{Revision: 2, Stable: 1, Step: step, StepStarted: t0, Weight: 10, Started: t0.Add(-time.Minute),
			Analysis: bg(analysis.PhaseRunning)}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	ran := analysis.PhaseRunning
	for _, tc := range []struct {
		name     string
		c        store.Canary
		avail    int
		after    time.Duration
		step     int // Next.Step
		changed  bool
		decision CanaryDecision
	}{
		{"new: setWeight, background analysis and pause start", store.Canary{Revision: 2, Stable: 1, Started: t0}, 4, 0, 1, true, CanaryWait},
		{"setWeight waits for its instances", store.Canary{Revision: 2, Stable: 1, Started: t0}, 0, 0, 0, false, CanaryWait},
		{"timed pause running", at(1, nil), 4, 10 * time.Second, 1, false, CanaryWait},
		{"timed pause over", at(1, nil), 4, 31 * time.Second, 2, true, CanaryWait},
		{"timed pause skipped", at(1, func(c *store.Canary) { c.Skip = true }), 4, time.Second, 2, true, CanaryWait},
		{"untimed pause waits", at(2, nil), 4, time.Hour, 2, false, CanaryWait},
		{"untimed pause promoted: analysis step starts", at(2, func(c *store.Canary) { c.Skip = true }), 4, time.Hour, 3, true, CanaryWait},
		{"analysis step running", at(3, func(c *store.Canary) { c.StepAnalysis = measuredRun(3, ran) }), 4, time.Minute, 3, false, CanaryWait},
		{"analysis step passed: header route, weight 50, full", at(3, func(c *store.Canary) {
			c.StepAnalysis = measuredRun(3, analysis.PhaseSuccessful)
		}), 2, time.Minute, 6, true, CanaryWait},
		{"analysis step passed, all ready: promoted", at(3, func(c *store.Canary) {
			c.StepAnalysis = measuredRun(3, analysis.PhaseSuccessful)
		}), 4, time.Minute, 6, true, CanaryPromote},
		{"analysis step skipped while running", at(3, func(c *store.Canary) { c.StepAnalysis, c.Skip = measuredRun(3, ran), true }), 2, time.Minute, 6, true, CanaryWait},
		{"analysis step failed", at(3, func(c *store.Canary) { c.StepAnalysis = measuredRun(3, analysis.PhaseFailed) }), 4, time.Minute, 3, false, CanaryRollBack},
		{"analysis step inconclusive", at(3, func(c *store.Canary) { c.StepAnalysis = measuredRun(3, analysis.PhaseInconclusive) }), 4, time.Minute, 3, true, CanaryWait},
		{"setHeaderRoute, then weight 50", at(4, func(c *store.Canary) { c.StepStarted = time.Time{} }), 2, time.Minute, 6, true, CanaryWait},
		{"paused", at(1, func(c *store.Canary) { c.Paused, c.PauseReason = true, "paused by bob" }), 4, time.Hour, 1, false, CanaryWait},
		{"promote --full, not all ready", at(1, func(c *store.Canary) { c.Full = true }), 2, time.Second, 1, false, CanaryWait},
		{"promote --full, all ready", at(1, func(c *store.Canary) { c.Full = true }), 4, time.Second, 1, false, CanaryPromote},
		{"aborted", at(3, func(c *store.Canary) { c.Abort, c.StepAnalysis = "by alice", measuredRun(3, ran) }), 4, time.Minute, 3, false, CanaryRollBack},
		{"background analysis failed", at(1, func(c *store.Canary) { c.Analysis = bg(analysis.PhaseFailed) }), 4, time.Second, 1, false, CanaryRollBack},
		{"background analysis inconclusive", at(1, func(c *store.Canary) { c.Analysis = bg(analysis.PhaseInconclusive) }), 4, time.Second, 1, true, CanaryWait},
		{"both analyses running, background ended", at(3, func(c *store.Canary) {
			c.StepAnalysis, c.Analysis.Ended = measuredRun(3, ran), t0
		}), 4, time.Minute, 3, false, CanaryWait},
		{"outcome set", at(6, func(c *store.Canary) {
			c.Full, c.Outcome, c.Reason, c.Ended = true, store.CanaryPromoted, "every step passed", t0
			c.StepAnalysis = measuredRun(3, analysis.PhaseSuccessful)
		}), 4, time.Minute, 6, false, CanaryPromote},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, specBefore := mustJSON(t, tc.c), mustJSON(t, sc)
			pass := Advance(tc.c, sc, tc.avail, 4, t0.Add(tc.after))
			assertUnchanged(t, "the canary", before, tc.c)
			assertUnchanged(t, "the spec", specBefore, sc)
			if pass.Next.Step != tc.step || pass.Decision != tc.decision {
				t.Errorf("step %d, %s; want step %d, %s (events %q)", pass.Next.Step, pass.Decision, tc.step, tc.decision, pass.Events)
			}
			if changed := string(mustJSON(t, pass.Next)) != string(before); changed != tc.changed {
				t.Errorf("Next changed: %v, want %v (events %q)", changed, tc.changed, pass.Events)
			}
			assertNothingShared(t, tc.c, pass.Next)
			scribble(reflect.ValueOf(&pass.Next).Elem())
			assertUnchanged(t, "the canary, after editing Next", before, tc.c)
		})
	}
}

// TestAdvanceFlagEditsNothingItIsGiven runs AdvanceFlag over releases
// in every state, with and without a step's analysis.
func TestAdvanceFlagEditsNothingItIsGiven(t *testing.T) {
	app, err := spec.Parse("slipway.yaml", []byte(flagRelease))
	if err != nil {
		t.Fatal(err)
	}
	p := app.Flags["new-checkout"].Progressive
	done := make([]*store.AnalysisRun, 0, 4) // room to append into
	done = append(done, measuredRun(0, analysis.PhaseSuccessful), measuredRun(1, analysis.PhaseSuccessful))
	release := func(step int, percent float64) store.FlagRelease {
		return store.FlagRelease{Variant: "on", Service: "order", Step: step, StepStarted: t0, Percent: percent,
			Analysis: measuredRun(step, analysis.PhaseRunning), Done: done[:step:4], Started: t0.Add(-time.Hour)}
	}
	ready := FlagSeen{ServiceDone: true}
	noData := measuredRun(1, analysis.PhaseRunning)
	noData.Metrics[0].Tally.Passes = 0
	for _, tc := range []struct {
		name     string
		r        store.FlagRelease
		run      *store.AnalysisRun
		seen     FlagSeen
		after    time.Duration
		step     int
		decision CanaryDecision
	}{
		{"waits for the service", store.FlagRelease{Variant: "on", Started: t0}, nil, FlagSeen{}, 0, 0, CanaryWait},
		{"first step starts", store.FlagRelease{Variant: "on", Started: t0}, nil, ready, 0, 0, CanaryWait},
		{"bake running", release(1, 50), measuredRun(1, analysis.PhaseRunning), ready, 30 * time.Second, 1, CanaryWait},
		{"bake over, judged: the next step", release(1, 50), measuredRun(1, analysis.PhaseRunning), ready, time.Minute, 2, CanaryWait},
		{"bake over without data: waits", release(1, 50), noData, ready, time.Minute, 1, CanaryWait},
		{"bake over, no analysis", release(0, 10), nil, ready, time.Minute, 1, CanaryWait},
		{"inconclusive: waits", release(1, 50), measuredRun(1, analysis.PhaseInconclusive), ready, time.Minute, 1, CanaryWait},
		{"failed: rolled back", release(1, 50), measuredRun(1, analysis.PhaseFailed), ready, time.Minute, 1, CanaryRollBack},
		{"killed: rolled back", release(1, 50), measuredRun(1, analysis.PhaseRunning), FlagSeen{ServiceDone: true, Killed: true}, time.Minute, 1, CanaryRollBack},
		{"last step over: promoted", release(2, 100), measuredRun(2, analysis.PhaseRunning), ready, time.Minute, 3, CanaryPromote},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, runBefore := mustJSON(t, tc.r), mustJSON(t, tc.run)
			doneBefore := mustJSON(t, done[:cap(done)])
			out := AdvanceFlag(tc.r, p, tc.run, tc.seen, t0.Add(tc.after))
			assertUnchanged(t, "the release", before, tc.r)
			assertUnchanged(t, "the run", runBefore, tc.run)
			assertUnchanged(t, "the array of the release's Done", doneBefore, done[:cap(done)])
			if out.Next.Step != tc.step || out.Decision != tc.decision {
				t.Errorf("step %d, %s; want step %d, %s", out.Next.Step, out.Decision, tc.step, tc.decision)
			}
			in := struct {
				R   store.FlagRelease
				Run *store.AnalysisRun
			}{tc.r, tc.run}
			got := struct {
				Next store.FlagRelease
				Run  *store.AnalysisRun
			}{out.Next, out.Run}
			assertNothingShared(t, in, got)
			scribble(reflect.ValueOf(&out.Next).Elem())
			scribble(reflect.ValueOf(out.Run))
			assertUnchanged(t, "the release, after editing Next", before, tc.r)
			assertUnchanged(t, "the run, after editing Run", runBefore, tc.run)
		})
	}
}

// TestDecideParallelEditsNothingItIsGiven runs DecideParallel over
// parallel runs in every state, with a report of routes, fields and
// samples.
func TestDecideParallelEditsNothingItIsGiven(t *testing.T) {
	app, err := spec.Parse("slipway.yaml", []byte(parallelV1))
	if err != nil {
		t.Fatal(err)
	}
	pr := app.Services["order"].Strategy.ParallelRun
	report := func(compared, mismatched int) mirror.Report {
		samples := []mirror.Sample{{Method: "GET", Path: "/orders/1", Field: "$.total", Primary: "1", Candidate: "2"}}
		fields := []mirror.FieldReport{{Field: "$.total", Differences: mismatched, Rate: 0.1, Mismatch: true, Samples: samples}}
		rate := float64(mismatched) / float64(max(compared, 1))
		return mirror.Report{Compared: compared, Mismatched: mismatched, MismatchRate: rate,
			Routes: []mirror.RouteReport{{Route: "GET /orders/{id}", Compared: compared, Mismatched: mismatched, MismatchRate: rate, Fields: fields}}}
	}
	running := func(mod func(*store.ParallelRun)) store.ParallelRun {
		old := report(5, 0)
		p := store.ParallelRun{Revision: 2, Stable: 1, Started: t0, Ends: t0.Add(time.Minute), Report: &old,
			Verdict: mirror.Verdict{Outcome: mirror.Waiting, Reason: "5 of 20 requests compared so far"}}
		if mod != nil {
			mod(&p)
		}
		return p
	}
	for _, tc := range []struct {
		name     string
		p        store.ParallelRun
		ready    bool
		rep      mirror.Report
		counting bool
		after    time.Duration
		decision ParallelDecision
	}{
		{"aborted", running(func(p *store.ParallelRun) { p.Abort = "by alice" }), true, report(30, 0), true, time.Second, ParallelRollBack},
		{"waits for the candidate", store.ParallelRun{Revision: 2, Stable: 1}, false, mirror.Report{}, false, 0, ParallelWait},
		{"starts", store.ParallelRun{Revision: 2, Stable: 1}, true, mirror.Report{}, false, 0, ParallelStart},
		{"counts lost: starts again", running(nil), true, mirror.Report{}, false, 10 * time.Second, ParallelStart},
		{"counting", running(nil), true, report(10, 0), true, 10 * time.Second, ParallelWait},
		{"time up, answers match", running(nil), true, report(30, 0), true, time.Minute, ParallelPromote},
		{"time up, answers differ", running(nil), true, report(30, 10), true, time.Minute, ParallelRollBack},
		{"time up, too few", running(nil), true, report(10, 0), true, time.Minute, ParallelRollBack},
		{"promote asked early, too few", running(func(p *store.ParallelRun) { p.Promote = true }), true, report(10, 0), true, 10 * time.Second, ParallelWait},
		{"promote asked early, enough", running(func(p *store.ParallelRun) { p.Promote = true }), true, report(30, 0), true, 10 * time.Second, ParallelPromote},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, repBefore := mustJSON(t, tc.p), mustJSON(t, tc.rep)
			out := DecideParallel(tc.p, pr, tc.ready, tc.rep, tc.counting, t0.Add(tc.after))
			assertUnchanged(t, "the run", before, tc.p)
			assertUnchanged(t, "the report", repBefore, tc.rep)
			if out.Decision != tc.decision {
				t.Errorf("%d, want %d (%q)", out.Decision, tc.decision, out.Reason)
			}
			in := struct {
				P   store.ParallelRun
				Rep mirror.Report
			}{tc.p, tc.rep}
			assertNothingShared(t, in, out.Next)
			scribble(reflect.ValueOf(&out.Next).Elem())
			assertUnchanged(t, "the run, after editing Next", before, tc.p)
			assertUnchanged(t, "the report, after editing Next", repBefore, tc.rep)
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	return b
}

// assertUnchanged fails the test when v no longer encodes as before.
func assertUnchanged(t *testing.T, what string, before []byte, v any) {
	t.Helper()
	if after := mustJSON(t, v); string(after) != string(before) {
		t.Errorf("%s changed:\nbefore %s\nafter  %s", what, before, after)
	}
}

// assertNothingShared fails the test when out reaches memory that in
// reaches too (through pointers, slices or maps): editing one would
// then change the other.
func assertNothingShared(t *testing.T, in, out any) {
	t.Helper()
	inMem, outMem := map[uintptr]string{}, map[uintptr]string{}
	reachable(reflect.ValueOf(in), "in", inMem)
	reachable(reflect.ValueOf(out), "out", outMem)
	for addr, path := range outMem {
		if inPath, ok := inMem[addr]; ok {
			t.Errorf("%s shares memory with %s", path, inPath)
		}
	}
}

// reachable records the memory v reaches through pointers, slices (with
// room) and maps, by exported fields, with the path to it.
func reachable(v reflect.Value, path string, into map[uintptr]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer {
			into[v.Pointer()] = path
		}
		reachable(v.Elem(), path, into)
	case reflect.Slice:
		if v.Cap() > 0 {
			into[v.Pointer()] = path
		}
		for i := range v.Len() {
			reachable(v.Index(i), fmt.Sprintf("%s[%d]", path, i), into)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		into[v.Pointer()] = path
		for it := v.MapRange(); it.Next(); {
			reachable(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), into)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				reachable(v.Field(i), path+"."+f.Name, into)
			}
		}
	}
}

// scribble changes every value v reaches by exported fields, pointers,
// slices and maps: numbers, strings, flags and times.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			scribble(e)
			v.SetMapIndex(it.Key(), e)
		}
	case reflect.Struct:
		scribbleStruct(v)
	default:
		scribbleScalar(v)
	}
}

func scribbleStruct(v reflect.Value) {
	if tm, ok := v.Interface().(time.Time); ok {
		if v.CanSet() {
			v.Set(reflect.ValueOf(tm.Add(time.Hour)))
		}
		return
	}
	for i := range v.NumField() {
		if v.Type().Field(i).IsExported() {
			scribble(v.Field(i))
		}
	}
}

func scribbleScalar(v reflect.Value) {
	if !v.CanSet() {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "!")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(v.Float() + 1)
	}
}
