package api

import "time"

// DORA is the answer to GET /v1/dora?service=&env=&window=: the four
// DORA metrics of one environment over a window [From, To).
type DORA struct {
	Env        string    `json:"env"`
	Production bool      `json:"production"`
	Window     string    `json:"window"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	// LevelsYear is the year of the State of DevOps report whose
	// performance levels rate the figures; LevelsSource names it.
	LevelsYear   int    `json:"levelsYear"`
	LevelsSource string `json:"levelsSource"`
	// Total is every service of the report together; Services each one.
	Total    DORAMetrics   `json:"total"`
	Services []DORAService `json:"services"`
}

// DORAService is one service's DORA metrics.
type DORAService struct {
	Service string `json:"service"`
	DORAMetrics
}

// DORAMetrics are the four DORA metrics and what they are computed from.
type DORAMetrics struct {
	// Deployments counts the successful deployments in the window.
	Deployments        int     `json:"deployments"`
	DeploymentsPerDay  float64 `json:"deploymentsPerDay"`
	DeploymentsPerWeek float64 `json:"deploymentsPerWeek"`
	// LeadTime is from commit to running, for each commit first running
	// in the window (artifacts with commit and commitTime only).
	LeadTime DORADurations `json:"leadTime"`
	// Changes counts every deployment in the window, successful or
	// failed; ChangeFailures those that failed or led to a rollback or an
	// incident; ChangeFailureRate is their ratio, 0 to 1.
	Changes           int     `json:"changes"`
	ChangeFailures    int     `json:"changeFailures"`
	ChangeFailureRate float64 `json:"changeFailureRate"`
	// RecoveryTime is from each failure to healthy again, for the
	// failures that began in the window; Unrecovered counts those that
	// still go on.
	RecoveryTime DORADurations `json:"recoveryTime"`
	Unrecovered  int           `json:"unrecovered"`
	// Incidents counts the incidents opened in the window;
	// UnlinkedIncidents those that failed no deployment.
	Incidents         int `json:"incidents"`
	UnlinkedIncidents int `json:"unlinkedIncidents"`
	// Level is the overall performance level (elite, high, medium,
	// low); Levels each figure's (absent: nothing to rate).
	Level    string        `json:"level"`
	Levels   DORALevels    `json:"levels"`
	Failures []DORAFailure `json:"failures"`
}

// DORADurations summarizes durations, in seconds.
type DORADurations struct {
	Count         int     `json:"count"`
	MedianSeconds float64 `json:"medianSeconds"`
	P90Seconds    float64 `json:"p90Seconds"`
}

// DORALevels are each figure's performance level.
type DORALevels struct {
	DeploymentFrequency string `json:"deploymentFrequency,omitempty"`
	LeadTime            string `json:"leadTime,omitempty"`
	ChangeFailureRate   string `json:"changeFailureRate,omitempty"`
	RecoveryTime        string `json:"recoveryTime,omitempty"`
}

// DORAFailure is a deployment that failed in production, and its
// recovery.
type DORAFailure struct {
	Service  string `json:"service"`
	Revision int    `json:"revision"`
	// Cause: rollout failed, failed analysis, rolled back by a person,
	// reverted with its operation, incident.
	Cause    string    `json:"cause"`
	Incident int       `json:"incident,omitempty"`
	Started  time.Time `json:"started"`
	// Recovered is zero while the failure goes on; RecoveredBy: rollback,
	// fix deployed, service removed, incident resolved.
	Recovered       time.Time `json:"recovered,omitzero"`
	RecoveredBy     string    `json:"recoveredBy,omitempty"`
	RecoverySeconds float64   `json:"recoverySeconds,omitempty"`
}

// IncidentRequest opens an incident (POST /v1/incidents).
type IncidentRequest struct {
	Service string `json:"service"`
	// Env is the environment ("" = production).
	Env string `json:"env,omitempty"`
	// CausedBy is the revision of Service that caused it (0: not known).
	CausedBy int    `json:"causedBy,omitempty"`
	Title    string `json:"title,omitempty"`
}

// Incident is a failure in production that a person reported.
type Incident struct {
	ID       int       `json:"id"`
	Service  string    `json:"service"`
	Env      string    `json:"env"`
	CausedBy int       `json:"causedBy,omitempty"`
	Title    string    `json:"title,omitempty"`
	Opened   time.Time `json:"opened"`
	Resolved time.Time `json:"resolved,omitzero"`
}

// DORATrend is the four metrics week by week (GET /v1/dora/trend?weeks=N):
// consecutive seven-day windows ending now, oldest first, each rated on
// its own.
type DORATrend struct {
	Env        string     `json:"env"`
	Production string     `json:"production"`
	Weeks      []DORAWeek `json:"weeks"`
}

// DORAWeek is one week of a trend, [From, To).
type DORAWeek struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	DORAMetrics
}
