package store

import "slices"

// Clone returns a deep copy of the canary (nil for nil): it shares no
// pointer, slice or map with c, so that either can be edited without
// the other changing. A pure decide step starts its next state from it.
func (c *Canary) Clone() *Canary {
	if c == nil {
		return nil
	}
	out := *c
	out.Analysis, out.StepAnalysis = c.Analysis.Clone(), c.StepAnalysis.Clone()
	return &out
}

// Clone returns a deep copy of the run (nil for nil), its metrics and
// their measurements included. Nil and empty slices stay as they are.
func (r *AnalysisRun) Clone() *AnalysisRun {
	if r == nil {
		return nil
	}
	out := *r
	out.Metrics = slices.Clone(r.Metrics)
	for i := range out.Metrics {
		m := &out.Metrics[i]
		m.Measurements = slices.Clone(m.Measurements)
		for j := range m.Measurements {
			m.Measurements[j] = m.Measurements[j].Clone()
		}
	}
	return &out
}

// Clone returns a deep copy of the release (nil for nil): its current
// analysis and those of the steps done.
func (r *FlagRelease) Clone() *FlagRelease {
	if r == nil {
		return nil
	}
	out := *r
	out.Analysis = r.Analysis.Clone()
	out.Done = slices.Clone(r.Done)
	for i, run := range out.Done {
		out.Done[i] = run.Clone()
	}
	return &out
}

// Clone returns a deep copy of the parallel run (nil for nil).
func (p *ParallelRun) Clone() *ParallelRun {
	if p == nil {
		return nil
	}
	out := *p
	if p.Report != nil {
		rep := p.Report.Clone()
		out.Report = &rep
	}
	return &out
}
