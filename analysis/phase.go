package analysis

import "fmt"

// Phase is the state of an analysis (one metric's Tally, or a whole run).
//
//	Running --> Successful    Count judged measurements, no limit exceeded
//	        --> Failed        failures > FailureLimit, or
//	                          consecutive errors > ConsecutiveErrorLimit
//	        --> Inconclusive  inconclusives > InconclusiveLimit
//
// Running is the zero value; the other three are terminal. A rollout
// promotes on Successful, rolls back on Failed and pauses for a human on
// Inconclusive (as Argo Rollouts does).
type Phase int

// The phases.
const (
	PhaseRunning Phase = iota
	PhaseSuccessful
	PhaseFailed
	PhaseInconclusive
)

var phaseNames = [...]string{"running", "successful", "failed", "inconclusive"}

// String returns the lower-case name of p.
func (p Phase) String() string {
	if p < 0 || int(p) >= len(phaseNames) {
		return fmt.Sprintf("phase(%d)", int(p))
	}
	return phaseNames[p]
}

// Terminal reports whether p is final: the analysis takes no more
// measurements.
func (p Phase) Terminal() bool { return p > PhaseRunning && int(p) < len(phaseNames) }

// MarshalText encodes p as its name, for stored and wire shapes.
func (p Phase) MarshalText() ([]byte, error) {
	if p < 0 || int(p) >= len(phaseNames) {
		return nil, fmt.Errorf("invalid phase %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (p *Phase) UnmarshalText(b []byte) error {
	for i, n := range phaseNames {
		if n == string(b) {
			*p = Phase(i)
			return nil
		}
	}
	return fmt.Errorf("unknown phase %q", b)
}

// Combine returns the phase of an analysis made of several metrics: Failed
// if any failed, else Inconclusive if any is, else Running if any still
// runs, else Successful. No metrics at all is Successful (nothing to check).
func Combine(phases ...Phase) Phase {
	worst := PhaseSuccessful
	rank := map[Phase]int{PhaseSuccessful: 0, PhaseRunning: 1, PhaseInconclusive: 2, PhaseFailed: 3}
	for _, p := range phases {
		if rank[p] > rank[worst] {
			worst = p
		}
	}
	return worst
}
