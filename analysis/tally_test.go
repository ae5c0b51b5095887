package analysis

import (
	"encoding/json"
	"strings"
	"testing"
)

// verdictOf maps the letters of a test script to verdicts.
var verdictOf = map[rune]Verdict{'.': Pending, 'P': Pass, 'F': Fail, 'I': Inconclusive, 'E': Error}

func TestTally(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		script string // one verdict per measurement
		phases string // the phase after each
		reason string // substring of the final Reason
	}{
		{"defaults: first failure fails", DefaultLimits(), "PPF", "rrf", "1 measurement failed, more than the 0 failures allowed"},
		{"failure limit 2 allows two", Limits{FailureLimit: 2, ConsecutiveErrorLimit: 4}, "FPFPF", "rrrrf", "3 measurements failed"},
		{"count reached succeeds", Limits{Count: 3, ConsecutiveErrorLimit: 4}, "PPP", "rrs", "3 of 3 measurements passed"},
		{"errors do not count toward count", Limits{Count: 2, ConsecutiveErrorLimit: 4}, "PEEP", "rrrs", "2 of 2 measurements passed"},
		{"fifth error in a row fails", DefaultLimits(), "EEEEE", "rrrrf", "5 errors in a row, more than the 4 errors allowed"},
		{"a pass resets consecutive errors", DefaultLimits(), "EEEEPEEEE", "rrrrrrrrr", ""},
		{"error limit 0: first error fails", Limits{}, "E", "f", "1 error in a row"},
		{"error is never a pass even at count", Limits{Count: 1}, "EP", "ff", "1 error in a row"},
		{"first inconclusive ends inconclusive", DefaultLimits(), "PI", "ri", "1 measurement inconclusive, more than the 0 allowed"},
		{"inconclusive limit 1", Limits{InconclusiveLimit: 1, Count: 4, ConsecutiveErrorLimit: 4}, "IPPP", "rrrs", "3 of 4 measurements passed"},
		{"failure wins over inconclusive", Limits{InconclusiveLimit: 5}, "IIF", "rrf", "1 measurement failed"},
		{"pending is not counted", Limits{Count: 1}, "..P", "rrs", "1 of 1 measurement passed"},
		{"terminal phase is sticky", DefaultLimits(), "FPPP", "ffff", "1 measurement failed"},
		{"negative limits never trip", Limits{FailureLimit: -1, InconclusiveLimit: -1, ConsecutiveErrorLimit: -1}, "FFIIEEEEEEE", "rrrrrrrrrrr", ""},
		{"unbounded count keeps running", DefaultLimits(), "PPPPPPPP", "rrrrrrrr", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tally := Tally{Limits: tt.limits}
			var got strings.Builder
			for i, c := range tt.script {
				p := tally.Add(Measurement{Metric: "m", Verdict: verdictOf[c], Reason: "reason " + string(rune('0'+i))})
				if p != tally.Phase {
					t.Fatalf("Add returned %v, Phase is %v", p, tally.Phase)
				}
				got.WriteRune([]rune("rsfi")[p])
			}
			if got.String() != tt.phases {
				t.Errorf("phases %q, want %q", got.String(), tt.phases)
			}
			if !strings.Contains(tally.Reason, tt.reason) || (tt.reason == "") != (tally.Reason == "") {
				t.Errorf("reason %q, want it to contain %q", tally.Reason, tt.reason)
			}
		})
	}
}

func TestTallyReasonNamesLastMeasurement(t *testing.T) {
	tally := Tally{Limits: DefaultLimits()}
	tally.Add(Measurement{Verdict: Fail, Reason: "latencyP99 12.1ms vs baseline 5.3ms"})
	if !strings.HasSuffix(tally.Reason, "last: latencyP99 12.1ms vs baseline 5.3ms") {
		t.Fatalf("reason %q", tally.Reason)
	}
}

func TestCombine(t *testing.T) {
	tests := []struct {
		in   []Phase
		want Phase
	}{
		{nil, PhaseSuccessful},
		{[]Phase{PhaseSuccessful, PhaseSuccessful}, PhaseSuccessful},
		{[]Phase{PhaseSuccessful, PhaseRunning}, PhaseRunning},
		{[]Phase{PhaseRunning, PhaseInconclusive}, PhaseInconclusive},
		{[]Phase{PhaseInconclusive, PhaseFailed, PhaseRunning}, PhaseFailed},
	}
	for _, tt := range tests {
		if got := Combine(tt.in...); got != tt.want {
			t.Errorf("Combine(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLifecycleNames(t *testing.T) {
	for v, want := range map[Verdict]struct {
		name     string
		terminal bool
	}{Pending: {"pending", false}, Pass: {"pass", true}, Fail: {"fail", true}, Inconclusive: {"inconclusive", true}, Error: {"error", true}, Verdict(9): {"verdict(9)", false}} {
		if v.String() != want.name || v.Terminal() != want.terminal {
			t.Errorf("%d: %q %v, want %q %v", int(v), v.String(), v.Terminal(), want.name, want.terminal)
		}
	}
	for p, want := range map[Phase]struct {
		name     string
		terminal bool
	}{PhaseRunning: {"running", false}, PhaseSuccessful: {"successful", true}, PhaseFailed: {"failed", true}, PhaseInconclusive: {"inconclusive", true}, Phase(-1): {"phase(-1)", false}} {
		if p.String() != want.name || p.Terminal() != want.terminal {
			t.Errorf("%d: %q %v, want %q %v", int(p), p.String(), p.Terminal(), want.name, want.terminal)
		}
	}
}

func TestTallyRoundTripsAsJSON(t *testing.T) {
	in := Tally{Limits: DefaultLimits()}
	in.Add(Measurement{Verdict: Fail, Reason: "r"})
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"phase":"failed"`) {
		t.Errorf("json %s", b)
	}
	var out Tally
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	m, _ := json.Marshal(Measurement{Verdict: Inconclusive})
	var back Measurement
	if err := json.Unmarshal(m, &back); err != nil || back.Verdict != Inconclusive {
		t.Fatalf("measurement round trip: %s %+v %v", m, back, err)
	}
}
