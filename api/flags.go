package api

import "time"

// Flag is a feature flag as it is served: its spec with the run-time
// override applied.
type Flag struct {
	Key         string `json:"key"`
	Class       string `json:"class"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	Owner       string `json:"owner,omitempty"`
	// Enabled false serves Off to everyone; Killed is the kill switch
	// (also served as disabled).
	Enabled bool   `json:"enabled"`
	Killed  bool   `json:"killed,omitempty"`
	Default string `json:"default"`
	// Off is the variant a disabled or killed flag serves. OffUnset says
	// the flag names none, so that it is the default (a flag of a type
	// other than boolean without off:).
	Off      string         `json:"off"`
	OffUnset bool           `json:"offUnset,omitempty"`
	Variants map[string]any `json:"variants"`
	Rules    []FlagRule     `json:"rules,omitempty"`
	// Prerequisites are "flag=variant".
	Prerequisites []string           `json:"prerequisites,omitempty"`
	Rollout       map[string]float64 `json:"rollout,omitempty"`
	Stickiness    string             `json:"stickiness,omitempty"`
	// Overridden says a run-time change (slipway flags ...) applies on
	// top of the spec.
	Overridden bool `json:"overridden,omitempty"`
	// Changed is when the flag last changed; Evaluated when it was last
	// evaluated (zero: never, or not since the server last saved usage).
	Changed   time.Time `json:"changed,omitzero"`
	Evaluated time.Time `json:"evaluated,omitzero"`
	// Stale says the flag outlived its purpose, and why.
	Stale       bool   `json:"stale,omitempty"`
	StaleReason string `json:"staleReason,omitempty"`
	// Revision is the flag configuration revision this comes from.
	Revision int `json:"revision"`
	// Release is the flag's progressive release, in flight or ended.
	Release *FlagRelease `json:"release,omitempty"`
}

// FlagRelease is a progressive release: Variant's share raised step by
// step while Service is judged; Outcome "", "Promoted" or "RolledBack".
type FlagRelease struct {
	Variant     string    `json:"variant"`
	Service     string    `json:"service"`
	Step        int       `json:"step"`
	Steps       int       `json:"steps"`
	Percent     float64   `json:"percent"`
	StepStarted time.Time `json:"stepStarted,omitzero"`
	// BakeSeconds is how long the current step's share holds, healthy,
	// before the next step (its spec's bake; 0: none).
	BakeSeconds float64 `json:"bakeSeconds,omitempty"`
	// Waiting says the release waits for Service's rollout to be done.
	Waiting bool      `json:"waiting,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
	// Analysis is the current (or last) step's analysis.
	Analysis *AnalysisRun `json:"analysis,omitempty"`
}

// FlagRule is one targeting rule.
type FlagRule struct {
	If      string `json:"if,omitempty"`
	Segment string `json:"segment,omitempty"`
	Serve   string `json:"serve"`
}

// FlagRequest carries a flag verb's arguments (POST
// /v1/flags/{key}/{verb}: enable, disable, kill, set, rollout).
type FlagRequest struct {
	// Variant, for set, becomes the default.
	Variant string `json:"variant,omitempty"`
	// Percent, for rollout of a two-variant flag, goes to the variant
	// that is not the default; Split names every variant's share.
	Percent *float64           `json:"percent,omitempty"`
	Split   map[string]float64 `json:"split,omitempty"`
	Reason  string             `json:"reason,omitempty"`
}

// EvaluateRequest is an evaluation context, as OFREP takes it.
type EvaluateRequest struct {
	Context map[string]any `json:"context"`
}

// FlagEvaluation is one evaluation, as OFREP answers it.
type FlagEvaluation struct {
	Key          string `json:"key"`
	Value        any    `json:"value,omitempty"`
	Variant      string `json:"variant,omitempty"`
	Reason       string `json:"reason"`
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorDetails string `json:"errorDetails,omitempty"`
}
