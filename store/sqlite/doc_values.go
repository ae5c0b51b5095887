package sqlite

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/analysis"
	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/spec"
)

// The stored documents (doc_*.go) are the JSON shapes of the records in
// the data columns, owned by this package: a field renamed or retyped in
// a domain package does not change them, and a change to them fails the
// golden test (golden_test.go) until it ships with a migration or a
// read-side rule for old documents.
//
// A document is transient: built from a record just before it is
// encoded, or decoded just before it becomes a record. So it shares the
// record's slices and maps of plain values instead of copying them.
//
// This file holds the leaf values whose stored text is their canonical
// text form (a duration "2m30s", a phase "running"), and the helpers
// that convert collections keeping nil apart from empty (null and []
// are different documents).

// durationDoc is a spec.Duration as stored: a string like "2m30s".
type durationDoc time.Duration

func toDurationDoc(d spec.Duration) durationDoc { return durationDoc(d.Duration) }

func fromDurationDoc(d durationDoc) spec.Duration { return spec.Duration{Duration: time.Duration(d)} }

// MarshalJSON writes the duration's text.
func (d durationDoc) MarshalJSON() ([]byte, error) { return json.Marshal(fromDurationDoc(d).String()) }

// UnmarshalJSON reads a duration's text.
func (d *durationDoc) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	v, err := spec.ParseDuration(s)
	*d = durationDoc(v.Duration)
	return err
}

// periodDoc is a spec.Period as stored: a string like "30d" or "never".
type periodDoc time.Duration

func toPeriodDoc(p spec.Period) periodDoc { return periodDoc(p.Duration) }

func fromPeriodDoc(p periodDoc) spec.Period { return spec.Period{Duration: time.Duration(p)} }

// MarshalJSON writes the period's text.
func (p periodDoc) MarshalJSON() ([]byte, error) { return json.Marshal(fromPeriodDoc(p).String()) }

// UnmarshalJSON reads a period's text.
func (p *periodDoc) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("period: %w", err)
	}
	v, err := spec.ParsePeriod(s)
	*p = periodDoc(v.Duration)
	return err
}

// pauseDoc is a canary step's spec.Pause as stored: its duration's text
// ("30s"), or {} for a pause until promoted. {"duration": "30s"} is read
// too.
type pauseDoc time.Duration

func toPauseDoc(p spec.Pause) pauseDoc { return pauseDoc(p.Duration.Duration) }

func fromPauseDoc(p pauseDoc) spec.Pause {
	return spec.Pause{Duration: spec.Duration{Duration: time.Duration(p)}}
}

// MarshalJSON writes "30s", or {} for a pause until promoted.
func (p pauseDoc) MarshalJSON() ([]byte, error) {
	if p == 0 {
		return []byte("{}"), nil
	}
	return durationDoc(p).MarshalJSON()
}

// UnmarshalJSON reads "30s", {} or {"duration": "30s"}.
func (p *pauseDoc) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		d, err := spec.ParseDuration(s)
		*p = pauseDoc(d.Duration)
		return err
	}
	var m struct {
		Duration durationDoc `json:"duration"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("pause: %w", err)
	}
	*p = pauseDoc(m.Duration)
	return nil
}

// flagValueDoc is a flag variant's value as stored: the JSON value
// itself. Decoding keeps whole numbers as int64, as spec.FlagValue does.
type flagValueDoc struct{ v spec.FlagValue }

// MarshalJSON writes the value.
func (f flagValueDoc) MarshalJSON() ([]byte, error) { return json.Marshal(f.v.Value) }

// UnmarshalJSON reads any JSON value.
func (f *flagValueDoc) UnmarshalJSON(b []byte) error { return f.v.UnmarshalJSON(b) }

// phaseDoc is an analysis.Phase as stored: its name ("running").
type phaseDoc analysis.Phase

// MarshalText writes the phase's name.
func (p phaseDoc) MarshalText() ([]byte, error) { return analysis.Phase(p).MarshalText() }

// UnmarshalText reads a phase's name.
func (p *phaseDoc) UnmarshalText(b []byte) error { return (*analysis.Phase)(p).UnmarshalText(b) }

// verdictDoc is an analysis.Verdict as stored: its name ("pass").
type verdictDoc analysis.Verdict

// MarshalText writes the verdict's name.
func (v verdictDoc) MarshalText() ([]byte, error) { return analysis.Verdict(v).MarshalText() }

// UnmarshalText reads a verdict's name.
func (v *verdictDoc) UnmarshalText(b []byte) error {
	return (*analysis.Verdict)(v).UnmarshalText(b)
}

// outcomeDoc is a mirror.Outcome as stored: its name ("passed").
type outcomeDoc mirror.Outcome

// MarshalText writes the outcome's name.
func (o outcomeDoc) MarshalText() ([]byte, error) { return mirror.Outcome(o).MarshalText() }

// UnmarshalText reads an outcome's name.
func (o *outcomeDoc) UnmarshalText(b []byte) error { return (*mirror.Outcome)(o).UnmarshalText(b) }

// each converts a slice element by element; nil stays nil and empty
// stays empty.
func each[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

// eachValue converts a map's values; nil stays nil.
func eachValue[K comparable, A, B any](in map[K]A, f func(A) B) map[K]B {
	if in == nil {
		return nil
	}
	out := make(map[K]B, len(in))
	for k, a := range in {
		out[k] = f(a)
	}
	return out
}

// ptr converts what a pointer points to; nil stays nil.
func ptr[A, B any](in *A, f func(A) B) *B {
	if in == nil {
		return nil
	}
	b := f(*in)
	return &b
}
