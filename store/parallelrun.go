package store

import (
	"time"

	"github.com/slipway-dev/slipway/mirror"
)

// ParallelRun is a parallel run's persisted state: the candidate gets a
// copy of live requests for a duration, its answers are compared with
// stable's, and the mismatch rate decides. It stays on the service after
// the run ends (Outcome set), for explanation.
//
//	(waiting for the candidate) --all ready--> Mirroring (Started set)
//	Mirroring --duration over, rate within limit--> Promoted
//	Mirroring --duration over, rate above limit or too few compared--> RolledBack
//	any --abort--> RolledBack
type ParallelRun struct {
	Revision int `json:"revision"`
	Stable   int `json:"stable"`
	// Started is when mirroring began (the candidate fully ready); Ends
	// when the run is judged.
	Started time.Time `json:"started,omitzero"`
	Ends    time.Time `json:"ends,omitzero"`
	// Report is the latest snapshot of the comparison; Verdict what it
	// says so far.
	Report  *mirror.Report `json:"report,omitempty"`
	Verdict mirror.Verdict `json:"verdict"`
	// Abort, when set, is why a person aborted the run; Promote asks to
	// judge it now rather than at Ends.
	Abort   string `json:"abort,omitempty"`
	Promote bool   `json:"promote,omitempty"`
	// Outcome is set when the run ended; Reason says why.
	Outcome CanaryOutcome `json:"outcome,omitempty"`
	Reason  string        `json:"reason,omitempty"`
	Ended   time.Time     `json:"ended,omitzero"`
}

// InFlight reports whether the run still goes on for target.
func (p *ParallelRun) InFlight(target int) bool {
	return p != nil && p.Outcome == "" && p.Revision == target
}
