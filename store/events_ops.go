package store

// Day-two events (issue 17): secrets, and the everyday verbs on a
// running service. Each carries By (the request's actor).
const (
	// EventSecretSet: a new version of a secret was stored, sealed.
	// Data: SecretData (name and version, never the value).
	EventSecretSet EventType = "secret.set"
	// EventServiceRestartRequested: a person asked for a rolling restart
	// of a service's current revision (slipway restart); not a new
	// revision.
	EventServiceRestartRequested EventType = "service.restart.requested"
	// EventServiceRestarted: every instance of the service that was
	// running when the restart was asked has been replaced.
	EventServiceRestarted EventType = "service.restarted"
	// EventServiceScaled: a person changed a service's instances at run
	// time (slipway scale), until an apply changes instances. Data:
	// ScaleData.
	EventServiceScaled EventType = "service.scaled"
	// EventInstanceExec: a person ran a command in an instance's
	// environment (slipway exec). Data: ExecData.
	EventInstanceExec EventType = "instance.exec"
)

// opsEventTypes are the types above, for EventTypes.
func opsEventTypes() []EventType {
	return []EventType{EventSecretSet, EventServiceRestartRequested, EventServiceRestarted, EventServiceScaled, EventInstanceExec}
}

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
