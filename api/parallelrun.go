package api

import "time"

// ParallelRun is a service's latest parallel run: in flight while
// Outcome is empty.
type ParallelRun struct {
	Revision int `json:"revision"`
	Stable   int `json:"stable"`
	// Percent of requests mirrored, MaxMismatchRate and MinRequests the
	// gate, from the candidate's spec.
	Percent         int     `json:"percent"`
	MaxMismatchRate float64 `json:"maxMismatchRate"`
	MinRequests     int     `json:"minRequests"`
	// Started is when mirroring began; Ends when the run is judged.
	Started time.Time `json:"started,omitzero"`
	Ends    time.Time `json:"ends,omitzero"`
	// Verdict so far: waiting, passed or failed, with its reason.
	Verdict       string `json:"verdict,omitempty"`
	VerdictReason string `json:"verdictReason,omitempty"`
	// Report is the comparison so far.
	Report  *MirrorReport `json:"report,omitempty"`
	Outcome string        `json:"outcome,omitempty"`
	Reason  string        `json:"reason,omitempty"`
	Ended   time.Time     `json:"ended,omitzero"`
}

// MirrorReport counts compared requests and how the candidate's answers
// differ from stable's, beyond stable's own noise.
type MirrorReport struct {
	Compared     int           `json:"compared"`
	Mismatched   int           `json:"mismatched"`
	MismatchRate float64       `json:"mismatchRate"`
	Dropped      int           `json:"dropped,omitempty"`
	Routes       []MirrorRoute `json:"routes,omitempty"`
}

// MirrorRoute is one route's part of a MirrorReport.
type MirrorRoute struct {
	Route        string        `json:"route"`
	Compared     int           `json:"compared"`
	Mismatched   int           `json:"mismatched"`
	MismatchRate float64       `json:"mismatchRate"`
	NoiseSamples int           `json:"noiseSamples"`
	Fields       []MirrorField `json:"fields,omitempty"`
}

// MirrorField is one field of one route: how often the candidate
// differed (Rate), how often stable differed from itself (NoiseRate),
// and whether that counts against the candidate.
type MirrorField struct {
	Field       string         `json:"field"`
	Differences int            `json:"differences"`
	Rate        float64        `json:"rate"`
	Noise       int            `json:"noise"`
	NoiseRate   float64        `json:"noiseRate"`
	Mismatch    bool           `json:"mismatch"`
	Samples     []MirrorSample `json:"samples,omitempty"`
}

// MirrorSample is one request in which a field differed.
type MirrorSample struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Field     string `json:"field"`
	Primary   string `json:"primary"`
	Candidate string `json:"candidate"`
}
