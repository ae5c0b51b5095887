package analysis

import (
	"fmt"
	"maps"
	"time"
)

// Verdict is the outcome of judging one measurement.
//
//	Pending --> Pass | Fail | Inconclusive | Error
//
// Pending is the zero value: the measurement has not been judged yet. The
// other four are terminal. An Error (the metric could not be fetched or the
// expression could not be evaluated) is never a pass.
type Verdict int

// The verdicts.
const (
	Pending Verdict = iota
	Pass
	Fail
	Inconclusive
	Error
)

var verdictNames = [...]string{"pending", "pass", "fail", "inconclusive", "error"}

// String returns the lower-case name of v.
func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return fmt.Sprintf("verdict(%d)", int(v))
	}
	return verdictNames[v]
}

// Terminal reports whether v is a final verdict (anything but Pending).
func (v Verdict) Terminal() bool { return v != Pending && v.valid() }

func (v Verdict) valid() bool { return v >= 0 && int(v) < len(verdictNames) }

// MarshalText encodes v as its name, for stored and wire shapes.
func (v Verdict) MarshalText() ([]byte, error) {
	if !v.valid() {
		return nil, fmt.Errorf("invalid verdict %d", int(v))
	}
	return []byte(v.String()), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// Measurement is one judged observation of a metric, with everything needed
// to explain the verdict later.
type Measurement struct {
	// Metric is the name of the metric in the analysis spec.
	Metric string `json:"metric"`
	// Time is when it was taken (set by whoever schedules measurements).
	Time time.Time `json:"time,omitzero"`
	// Value is the observed value (for a comparison, the canary median).
	Value float64 `json:"value"`
	// Samples is the number of samples the value rests on (for a
	// comparison, the smaller of the two sides).
	Samples int     `json:"samples"`
	Verdict Verdict `json:"verdict"`
	// NoData marks an Inconclusive measurement that had nothing to judge
	// (no traffic in the window, too few samples): a controller keeps
	// waiting for data, up to a deadline, rather than count it.
	NoData bool `json:"noData,omitempty"`
	// Reason is one plain-language line, e.g.
	// "p99 12.1ms vs baseline 5.3ms (+128%, p=0.003 < 0.05): worse by more than the 50% allowed".
	Reason string `json:"reason"`
	// Stats holds the numbers the verdict rests on (medians, p-value,
	// thresholds), keyed by short names documented by each judge.
	Stats map[string]float64 `json:"stats,omitempty"`
	// Spreads summarise a comparison's two samples (nil for other judges,
	// and for a comparison with too few samples).
	Spreads *Spreads `json:"spreads,omitempty"`
}

// Clone returns a copy of m that shares no map with it (Stats).
func (m Measurement) Clone() Measurement {
	m.Stats = maps.Clone(m.Stats)
	if m.Spreads != nil {
		s := *m.Spreads
		m.Spreads = &s
	}
	return m
}
