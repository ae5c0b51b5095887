package mirror

import (
	"cmp"
	"slices"
	"strings"
)

// The noise rule. A field counts against the candidate (Mismatch) when
// the rate at which the candidate's answers differ from the primary's
// exceeds the rate at which the secondary's (stable's own) do, times
// NoiseFactor, plus NoiseMargin:
//
//	rate > noiseRate*NoiseFactor + NoiseMargin
//
// A timestamp that differs on every answer (rate 1, noise 1) is noise; a
// price that stable always agrees on (noise 0) is a mismatch as soon as
// the candidate changes it in more than 1% of requests. The factor
// leaves room for a noisy field's noise being measured on a sample; the
// margin keeps a rare fluke on a quiet field from failing a rollout,
// and means that a field differing in fewer than 1% of a route's
// requests is never reported.
const (
	NoiseFactor = 1.5
	NoiseMargin = 0.01
)

// Mismatch applies the noise rule to a field's rates.
func Mismatch(rate, noiseRate float64) bool {
	return rate > noiseRate*NoiseFactor+NoiseMargin
}

// Report is what a Tally counted: how many requests were compared, how
// many differ beyond the noise, and why, route by route.
type Report struct {
	// Compared is the number of mirrored requests compared.
	Compared int `json:"compared"`
	// Mismatched is the number of them that differ in at least one field
	// that is not noise; MismatchRate is Mismatched / Compared.
	Mismatched   int     `json:"mismatched"`
	MismatchRate float64 `json:"mismatchRate"`
	// Dropped counts requests chosen for mirroring but not compared.
	Dropped int `json:"dropped,omitempty"`
	// Routes, the most mismatched first.
	Routes []RouteReport `json:"routes,omitempty"`
}

// RouteReport is one route's part of a Report.
type RouteReport struct {
	// Route is the method and path pattern, like GET /orders/{id}.
	Route        string  `json:"route"`
	Compared     int     `json:"compared"`
	Mismatched   int     `json:"mismatched"`
	MismatchRate float64 `json:"mismatchRate"`
	// NoiseSamples is how many requests the secondary answered: the
	// denominator of the noise rates.
	NoiseSamples int `json:"noiseSamples"`
	// Fields that differed on either side: mismatches first, then by
	// how often they differed.
	Fields []FieldReport `json:"fields,omitempty"`
}

// FieldReport is one field of one route.
type FieldReport struct {
	// Field is the field, with array indices as [*].
	Field string `json:"field"`
	// Differences counts requests in which the candidate differed from
	// the primary; Rate is Differences / the route's Compared.
	Differences int     `json:"differences"`
	Rate        float64 `json:"rate"`
	// Noise counts requests in which the secondary differed from the
	// primary; NoiseRate is Noise / the route's NoiseSamples.
	Noise     int     `json:"noise"`
	NoiseRate float64 `json:"noiseRate"`
	// Mismatch is the noise rule's verdict: true counts against the
	// candidate, false is noise (or too rare to count).
	Mismatch bool `json:"mismatch"`
	// Samples are the first requests in which the candidate differed.
	Samples []Sample `json:"samples,omitempty"`
}

// Clone returns a deep copy of the report: it shares no slice with r
// (its routes, their fields and samples). Nil slices stay nil.
func (r Report) Clone() Report {
	r.Routes = slices.Clone(r.Routes)
	for i := range r.Routes {
		rr := &r.Routes[i]
		rr.Fields = slices.Clone(rr.Fields)
		for j := range rr.Fields {
			rr.Fields[j].Samples = slices.Clone(rr.Fields[j].Samples)
		}
	}
	return r
}

// Report returns the counts so far. The result shares nothing with the
// Tally.
func (t *Tally) Report() Report {
	t.mu.Lock()
	defer t.mu.Unlock()
	rep := Report{Dropped: t.dropped}
	for key, r := range t.routes {
		rr := r.report(key)
		rep.Compared += rr.Compared
		rep.Mismatched += rr.Mismatched
		rep.Routes = append(rep.Routes, rr)
	}
	rep.MismatchRate = ratio(rep.Mismatched, rep.Compared)
	slices.SortFunc(rep.Routes, func(a, b RouteReport) int {
		return cmp.Or(cmp.Compare(b.Mismatched, a.Mismatched), cmp.Compare(a.Route, b.Route))
	})
	return rep
}

// report judges each field of a route by the noise rule, then counts the
// requests that differ in a field judged a mismatch.
func (r *routeTally) report(key string) RouteReport {
	rr := RouteReport{Route: key, Compared: r.compared, NoiseSamples: r.noiseSamples, Mismatched: r.overflow}
	bad := map[string]bool{}
	for name := range r.fields {
		fr := r.fieldReport(name)
		bad[name] = fr.Mismatch
		rr.Fields = append(rr.Fields, fr)
	}
	for set, n := range r.sets {
		for name := range strings.SplitSeq(set, "\n") {
			if bad[name] {
				rr.Mismatched += n
				break
			}
		}
	}
	rr.MismatchRate = ratio(rr.Mismatched, rr.Compared)
	slices.SortFunc(rr.Fields, func(a, b FieldReport) int {
		if a.Mismatch != b.Mismatch {
			if a.Mismatch {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Differences, a.Differences), cmp.Compare(a.Field, b.Field))
	})
	return rr
}

// fieldReport is one field's rates and the noise rule's verdict.
func (r *routeTally) fieldReport(name string) FieldReport {
	f := r.fields[name]
	fr := FieldReport{Field: name, Differences: f.diffs, Noise: f.noise,
		Rate: ratio(f.diffs, r.compared), NoiseRate: ratio(f.noise, r.noiseSamples),
		Samples: slices.Clone(f.samples)}
	fr.Mismatch = Mismatch(fr.Rate, fr.NoiseRate)
	return fr
}

// mismatch applies the noise rule to a field, without a report.
func (r *routeTally) mismatch(name string) bool {
	f := r.fields[name]
	return Mismatch(ratio(f.diffs, r.compared), ratio(f.noise, r.noiseSamples))
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
