package store

import (
	"strconv"
	"time"
)

// JobState is one run of a job (spec.Job) for one revision.
//
//	Waiting --started--> Running --exit 0--> Succeeded
//	Running --exit non-zero, timeout, lost twice--> Failed
//	Running --lost (no process, outcome unknown)--> Running (attempt 2)
//
// Waiting is an after-ready job whose revision is not ready yet, or a run
// asked for by hand not started yet. A run is retried at most once, and
// only when it was lost (the server could not see how it ended): never
// after it failed, and never silently (an event says so).
type JobState string

// Job states.
const (
	JobWaiting   JobState = "Waiting"
	JobRunning   JobState = "Running"
	JobSucceeded JobState = "Succeeded"
	JobFailed    JobState = "Failed"
)

func (s JobState) String() string { return string(s) }

// Terminal reports whether the run has ended for good.
func (s JobState) Terminal() bool { return s == JobSucceeded || s == JobFailed }

// MaxJobRuns is how many runs a service keeps (the newest; with their
// output): older ones are forgotten with their files.
const MaxJobRuns = 20

// JobRun is one run of a service's job for one revision, kept on the
// service (Service.Jobs) with its last output lines.
type JobRun struct {
	// Job is the job's name in the revision's spec.
	Job      string   `json:"job"`
	Revision int      `json:"revision"`
	State    JobState `json:"state"`
	// Before is set for a before-rollout job: the revision's instances
	// wait for it.
	Before bool `json:"before,omitempty"`
	// Attempt counts starts (1, or 2 after a lost run).
	Attempt int `json:"attempt,omitempty"`
	// Instance is the driver's ID of the run's process or container.
	Instance  string    `json:"instance,omitempty"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	EndedAt   time.Time `json:"endedAt,omitzero"`
	// Exit is how the process ended ("exit status 1", "timed out after 5m").
	Exit string `json:"exit,omitempty"`
	// Output is the run's last log lines, kept when it ends.
	Output []string `json:"output,omitempty"`
	// By is who asked for a run by hand ("" for a release's run).
	By string `json:"by,omitempty"`
}

// Key names the run's job and revision ("migrate@3").
func (r JobRun) Key() string { return r.Job + "@" + strconv.Itoa(r.Revision) }

// FindJob returns the index of the newest run of job for revision, or -1.
func FindJob(runs []JobRun, job string, revision int) int {
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Job == job && runs[i].Revision == revision {
			return i
		}
	}
	return -1
}
