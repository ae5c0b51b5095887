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
	// Stream asks for the output as it is produced: the answer is then
	// application/x-ndjson, one ExecChunk a line, the last with the
	// result.
	Stream bool `json:"stream,omitempty"`
}

// ExecChunk is one line of a streamed exec's answer: output as the
// command wrote it (stdout and stderr together), or, on the last line,
// how it ended (its Output empty: the chunks held it).
type ExecChunk struct {
	Output string      `json:"output,omitempty"`
	Result *ExecResult `json:"result,omitempty"`
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
