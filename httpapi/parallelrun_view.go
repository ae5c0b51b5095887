package httpapi

import (
	"encoding/json"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// parallelRunView is the wire form of a service's latest parallel run;
// pr is the candidate revision's strategy (the gate's settings).
func parallelRunView(p *store.ParallelRun, pr *spec.ParallelRun) *api.ParallelRun {
	out := &api.ParallelRun{Revision: p.Revision, Stable: p.Stable, Started: p.Started, Ends: p.Ends,
		Outcome: string(p.Outcome), Reason: p.Reason, Ended: p.Ended}
	if pr != nil {
		out.Percent, out.MaxMismatchRate, out.MinRequests = pr.Percent(), pr.MaxMismatchRate, pr.MinRequests
	}
	if p.Report != nil {
		out.Verdict, out.VerdictReason = p.Verdict.Outcome.String(), p.Verdict.Reason
		// The wire shape is the stored report's JSON, field for field.
		b, _ := json.Marshal(p.Report)
		out.Report = &api.MirrorReport{}
		_ = json.Unmarshal(b, out.Report)
	}
	return out
}
