package mirror

import (
	"fmt"
	"strconv"
	"strings"
)

// Outcome is what a Report says of a parallel run:
//
//	Waiting -> Passed | Failed
//
// Waiting is not a pass: a run that ends still waiting failed to gather
// enough comparisons to judge. Nor is Failed final while a run goes on
// (more requests move the rate): a gate judges the Report it has when
// the run's duration is over.
type Outcome uint8

// The outcomes.
const (
	Waiting Outcome = iota // fewer requests compared than needed
	Passed                 // enough compared, mismatch rate within the limit
	Failed                 // mismatch rate above the limit
)

var outcomeNames = [...]string{Waiting: "waiting", Passed: "passed", Failed: "failed"}

// String is the outcome's lower-case name.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// MarshalText writes the name, so stored verdicts read well.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (o *Outcome) UnmarshalText(b []byte) error {
	for i, n := range outcomeNames {
		if n == string(b) {
			*o = Outcome(i)
			return nil
		}
	}
	return fmt.Errorf("unknown outcome %q", b)
}

// Verdict is an Outcome with a one-line reason a person can read.
type Verdict struct {
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
}

// Judge says whether the report passes a gate of at most maxRate
// mismatched requests (0..1) once at least minRequests were compared.
func (r Report) Judge(maxRate float64, minRequests int) Verdict {
	if r.Compared < max(minRequests, 1) {
		reason := fmt.Sprintf("%d of %d requests compared so far", r.Compared, minRequests)
		if r.Dropped > 0 {
			reason += fmt.Sprintf(" (%d dropped: too many copies in flight)", r.Dropped)
		}
		return Verdict{Waiting, reason}
	}
	summary := fmt.Sprintf("%s of %d compared requests differ beyond noise (%d)", percent(r.MismatchRate), r.Compared, r.Mismatched)
	if r.MismatchRate > maxRate {
		return Verdict{Failed, summary + ", above the limit " + percent(maxRate) + r.worst()}
	}
	return Verdict{Passed, summary + ", within the limit " + percent(maxRate)}
}

// worst names the route and field that differ most, as "; most: GET
// /orders/{id} $.total (12 times, noise 0%)".
func (r Report) worst() string {
	var route string
	var field FieldReport
	for _, rr := range r.Routes {
		for _, f := range rr.Fields {
			if f.Mismatch && f.Differences > field.Differences {
				route, field = rr.Route, f
			}
		}
	}
	if route == "" {
		return ""
	}
	return fmt.Sprintf("; most: %s %s (%d times, noise %s)", route, field.Field, field.Differences, percent(field.NoiseRate))
}

// percent writes a rate as a short percentage: 0.0123 -> 1.23%.
func percent(rate float64) string {
	s := strconv.FormatFloat(rate*100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
