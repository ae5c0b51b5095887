package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/mirror"
	"github.com/slipway-dev/slipway/store"
)

// parallelRunDoc is a parallel run's state (store.ParallelRun) as stored
// on its service, with the latest snapshot of its comparison report.
type parallelRunDoc struct {
	Revision int              `json:"revision"`
	Stable   int              `json:"stable"`
	Started  time.Time        `json:"started,omitzero"`
	Ends     time.Time        `json:"ends,omitzero"`
	Report   *mirrorReportDoc `json:"report,omitempty"`
	Verdict  mirrorVerdictDoc `json:"verdict"`
	Abort    string           `json:"abort,omitempty"`
	Promote  bool             `json:"promote,omitempty"`
	Outcome  string           `json:"outcome,omitempty"`
	Reason   string           `json:"reason,omitempty"`
	Ended    time.Time        `json:"ended,omitzero"`
}

// mirrorVerdictDoc is what a parallel run's report says so far
// (mirror.Verdict).
type mirrorVerdictDoc struct {
	Outcome outcomeDoc `json:"outcome"`
	Reason  string     `json:"reason"`
}

// mirrorReportDoc is a parallel run's comparison (mirror.Report): the
// counts, and per route the fields that differed.
type mirrorReportDoc struct {
	Compared     int              `json:"compared"`
	Mismatched   int              `json:"mismatched"`
	MismatchRate float64          `json:"mismatchRate"`
	Dropped      int              `json:"dropped,omitempty"`
	Routes       []routeReportDoc `json:"routes,omitempty"`
}

// routeReportDoc is one route's part of a mirror report.
type routeReportDoc struct {
	Route        string           `json:"route"`
	Compared     int              `json:"compared"`
	Mismatched   int              `json:"mismatched"`
	MismatchRate float64          `json:"mismatchRate"`
	NoiseSamples int              `json:"noiseSamples"`
	Fields       []fieldReportDoc `json:"fields,omitempty"`
}

// fieldReportDoc is one field that differed on a route, against the
// noise stable shows on it.
type fieldReportDoc struct {
	Field       string      `json:"field"`
	Differences int         `json:"differences"`
	Rate        float64     `json:"rate"`
	Noise       int         `json:"noise"`
	NoiseRate   float64     `json:"noiseRate"`
	Mismatch    bool        `json:"mismatch"`
	Samples     []sampleDoc `json:"samples,omitempty"`
}

// sampleDoc is one request in which a field differed (mirror.Sample).
type sampleDoc struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Field     string `json:"field"`
	Primary   string `json:"primary"`
	Candidate string `json:"candidate"`
}

func toParallelRunDoc(p store.ParallelRun) parallelRunDoc {
	return parallelRunDoc{
		Revision: p.Revision, Stable: p.Stable, Started: p.Started, Ends: p.Ends,
		Report:  ptr(p.Report, toMirrorReportDoc),
		Verdict: mirrorVerdictDoc{Outcome: outcomeDoc(p.Verdict.Outcome), Reason: p.Verdict.Reason},
		Abort:   p.Abort, Promote: p.Promote,
		Outcome: string(p.Outcome), Reason: p.Reason, Ended: p.Ended,
	}
}

func fromParallelRunDoc(d parallelRunDoc) store.ParallelRun {
	return store.ParallelRun{
		Revision: d.Revision, Stable: d.Stable, Started: d.Started, Ends: d.Ends,
		Report:  ptr(d.Report, fromMirrorReportDoc),
		Verdict: mirror.Verdict{Outcome: mirror.Outcome(d.Verdict.Outcome), Reason: d.Verdict.Reason},
		Abort:   d.Abort, Promote: d.Promote,
		Outcome: store.CanaryOutcome(d.Outcome), Reason: d.Reason, Ended: d.Ended,
	}
}

func toMirrorReportDoc(r mirror.Report) mirrorReportDoc {
	return mirrorReportDoc{
		Compared: r.Compared, Mismatched: r.Mismatched, MismatchRate: r.MismatchRate, Dropped: r.Dropped,
		Routes: each(r.Routes, func(rr mirror.RouteReport) routeReportDoc {
			return routeReportDoc{
				Route: rr.Route, Compared: rr.Compared, Mismatched: rr.Mismatched,
				MismatchRate: rr.MismatchRate, NoiseSamples: rr.NoiseSamples,
				Fields: each(rr.Fields, toFieldReportDoc),
			}
		}),
	}
}

func fromMirrorReportDoc(d mirrorReportDoc) mirror.Report {
	return mirror.Report{
		Compared: d.Compared, Mismatched: d.Mismatched, MismatchRate: d.MismatchRate, Dropped: d.Dropped,
		Routes: each(d.Routes, func(rr routeReportDoc) mirror.RouteReport {
			return mirror.RouteReport{
				Route: rr.Route, Compared: rr.Compared, Mismatched: rr.Mismatched,
				MismatchRate: rr.MismatchRate, NoiseSamples: rr.NoiseSamples,
				Fields: each(rr.Fields, fromFieldReportDoc),
			}
		}),
	}
}

func toFieldReportDoc(f mirror.FieldReport) fieldReportDoc {
	return fieldReportDoc{
		Field: f.Field, Differences: f.Differences, Rate: f.Rate,
		Noise: f.Noise, NoiseRate: f.NoiseRate, Mismatch: f.Mismatch,
		Samples: each(f.Samples, func(s mirror.Sample) sampleDoc {
			return sampleDoc{Method: s.Method, Path: s.Path, Field: s.Field, Primary: s.Primary, Candidate: s.Candidate}
		}),
	}
}

func fromFieldReportDoc(d fieldReportDoc) mirror.FieldReport {
	return mirror.FieldReport{
		Field: d.Field, Differences: d.Differences, Rate: d.Rate,
		Noise: d.Noise, NoiseRate: d.NoiseRate, Mismatch: d.Mismatch,
		Samples: each(d.Samples, func(s sampleDoc) mirror.Sample {
			return mirror.Sample{Method: s.Method, Path: s.Path, Field: s.Field, Primary: s.Primary, Candidate: s.Candidate}
		}),
	}
}
