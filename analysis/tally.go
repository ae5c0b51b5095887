package analysis

import "fmt"

// Limits bound how many bad measurements a metric may have before its
// analysis ends, with Argo Rollouts' semantics: a limit is the number
// allowed, so it is exceeded when the count is greater than it. A negative
// limit never trips.
type Limits struct {
	// FailureLimit is the number of Fail measurements allowed.
	FailureLimit int `json:"failureLimit"`
	// InconclusiveLimit is the number of Inconclusive measurements allowed.
	InconclusiveLimit int `json:"inconclusiveLimit"`
	// ConsecutiveErrorLimit is the number of Error measurements in a row
	// allowed; one more fails the analysis: an error is never a pass.
	ConsecutiveErrorLimit int `json:"consecutiveErrorLimit"`
	// Count is the number of judged (non-error) measurements after which
	// the analysis is Successful. Zero means unbounded: a background
	// analysis that only ends by failing or when the rollout ends.
	Count int `json:"count"`
}

// DefaultLimits are Argo Rollouts' defaults: no failure, no inconclusive,
// four consecutive errors, unbounded count.
func DefaultLimits() Limits { return Limits{ConsecutiveErrorLimit: 4} }

// Tally folds one metric's measurements into a Phase. It is a plain value
// (store it with the rollout); the zero Tally with Limits set is ready.
type Tally struct {
	Limits            Limits `json:"limits"`
	Passes            int    `json:"passes"`
	Failures          int    `json:"failures"`
	Inconclusives     int    `json:"inconclusives"`
	Errors            int    `json:"errors"`
	ConsecutiveErrors int    `json:"consecutiveErrors"`
	Phase             Phase  `json:"phase"`
	// Reason says why Phase is terminal, in one line.
	Reason string `json:"reason,omitempty"`
}

// Add counts m and returns the phase after it. Pending measurements are
// not counted; once the phase is terminal, further measurements are ignored.
// A verdict outside the known set counts as an Error.
func (t *Tally) Add(m Measurement) Phase {
	if t.Phase.Terminal() || m.Verdict == Pending {
		return t.Phase
	}
	switch m.Verdict {
	case Pass:
		t.Passes++
	case Fail:
		t.Failures++
	case Inconclusive:
		t.Inconclusives++
	default:
		t.Errors++
		t.ConsecutiveErrors++
		t.Phase, t.Reason = t.decide(m)
		return t.Phase
	}
	t.ConsecutiveErrors = 0
	t.Phase, t.Reason = t.decide(m)
	return t.Phase
}

// Judged is the number of measurements that reached a verdict other than
// Error.
func (t *Tally) Judged() int { return t.Passes + t.Failures + t.Inconclusives }

func (t *Tally) decide(last Measurement) (Phase, string) {
	l := t.Limits
	switch {
	case exceeds(t.Failures, l.FailureLimit):
		return PhaseFailed, fmt.Sprintf("%s failed, more than the %s allowed; last: %s",
			count(t.Failures, "measurement"), count(l.FailureLimit, "failure"), last.Reason)
	case exceeds(t.ConsecutiveErrors, l.ConsecutiveErrorLimit):
		return PhaseFailed, fmt.Sprintf("%s in a row, more than the %s allowed; last: %s",
			count(t.ConsecutiveErrors, "error"), count(l.ConsecutiveErrorLimit, "error"), last.Reason)
	case exceeds(t.Inconclusives, l.InconclusiveLimit):
		return PhaseInconclusive, fmt.Sprintf("%s inconclusive, more than the %d allowed; last: %s",
			count(t.Inconclusives, "measurement"), l.InconclusiveLimit, last.Reason)
	case l.Count > 0 && t.Judged() >= l.Count:
		return PhaseSuccessful, fmt.Sprintf("%d of %s passed, within limits", t.Passes, count(t.Judged(), "measurement"))
	}
	return PhaseRunning, ""
}

func exceeds(n, limit int) bool { return limit >= 0 && n > limit }

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
