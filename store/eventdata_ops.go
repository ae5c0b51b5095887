package store

// The data of the day-two events (events.go; issue 17).

// SecretData is the Data of an EventSecretSet event: which secret, its
// new version, and how it came ("apply" or "set").
type SecretData struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
	Via     string `json:"via,omitempty"`
}

// ScaleData is the Data of an EventServiceScaled event: the instances
// before and after.
type ScaleData struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// ExecData is the Data of an EventInstanceExec event: the command as
// the person gave it, and how it ended.
type ExecData struct {
	Command  []string `json:"command"`
	ExitCode int      `json:"exitCode"`
}
