package api

import "time"

// History is how a service's traffic (GET /v1/services/{name}/history),
// or the whole router's (GET /v1/history), looked lately: one point
// every EverySeconds, oldest first, recorded by the server whether or
// not anyone watched (since the server started; an hour at most).
type History struct {
	Service      string         `json:"service,omitempty"`
	EverySeconds float64        `json:"everySeconds"`
	Points       []HistoryPoint `json:"points"`
}

// HistoryPoint is one sample.
type HistoryPoint struct {
	Time time.Time `json:"time"`
	// Weight is a canary's weight (percent) while it is in flight.
	Weight int `json:"weight"`
	// Mismatch is a parallel run's mismatch rate (0..1); absent when
	// none runs.
	Mismatch *float64 `json:"mismatch,omitempty"`
	// Revisions: the stable revision, then the candidate when one is in
	// flight; the router's history has one, revision 0, role "all".
	Revisions []HistoryTraffic `json:"revisions"`
}

// HistoryTraffic is what one revision answered over the interval before
// the point's time.
type HistoryTraffic struct {
	Revision int `json:"revision"`
	// Role is stable, candidate or all.
	Role        string  `json:"role"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	RequestRate float64 `json:"requestRate"`
	// SuccessRate is 1 - errors/requests (0 without requests).
	SuccessRate float64 `json:"successRate"`
	P50Seconds  float64 `json:"p50Seconds"`
	P99Seconds  float64 `json:"p99Seconds"`
}
