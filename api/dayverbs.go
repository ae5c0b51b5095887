package api

// ScaleRequest sets a service's instances at run time (slipway scale).
type ScaleRequest struct {
	Instances int `json:"instances"`
}

// ExecRequest runs a one-off command in an instance of a service (slipway
// exec): as the instance runs (its user, environment with secrets,
// working directory, limits).
type ExecRequest struct {
	Command []string `json:"command"`
	// Instance picks one; empty: a ready instance of the current
	// revision.
	Instance string `json:"instance,omitempty"`
	// Timeout bounds the command ("30s"; default 1m, at most 10m).
	Timeout string `json:"timeout,omitempty"`
}

// ExecResult is how an exec ended: its combined output (the last MaxExecOutput
// bytes) and exit code (-1 when it was killed or could not start).
type ExecResult struct {
	Instance  string `json:"instance"`
	Output    string `json:"output"`
	Truncated bool   `json:"truncated,omitempty"`
	ExitCode  int    `json:"exitCode"`
}

// MaxExecOutput is the most output an exec answers with.
const MaxExecOutput = 1 << 20
