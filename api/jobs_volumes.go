package api

import "time"

// JobRun is one run of a service's job (GET /v1/services/{name}/jobs):
// before: rollout or after: ready, for one revision, or by hand.
type JobRun struct {
	Job      string `json:"job"`
	Revision int    `json:"revision"`
	// State is Waiting, Running, Succeeded or Failed.
	State string `json:"state"`
	// When is "before rollout", "after ready" or "by hand".
	When      string    `json:"when"`
	Attempt   int       `json:"attempt,omitempty"`
	Instance  string    `json:"instance,omitempty"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	EndedAt   time.Time `json:"endedAt,omitzero"`
	Exit      string    `json:"exit,omitempty"`
	// Output is the run's last log lines (while it runs: so far).
	Output []string `json:"output,omitempty"`
	By     string   `json:"by,omitempty"`
}

// JobList is a service's job runs, oldest first, and the jobs its
// target revision declares.
type JobList struct {
	Service string   `json:"service"`
	Jobs    []string `json:"jobs"`
	Runs    []JobRun `json:"runs"`
}

// JobRunRequest asks for a job to run by hand
// (POST /v1/services/{name}/jobs/{job}/run). Revision 0 means the
// service's stable revision (its target when none is stable yet).
type JobRunRequest struct {
	Revision int `json:"revision,omitempty"`
}

// Volume is one of the app's volumes (GET /v1/volumes): a folder that
// outlives revisions, with its size and who mounts it.
type Volume struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Shared bool   `json:"shared,omitempty"`
	// Size is the bytes of its files (-1 when it could not be read);
	// Exists is false before an instance first mounted it.
	Size   int64 `json:"size"`
	Exists bool  `json:"exists"`
	// MountedBy names the services whose target, stable or running
	// revisions mount it ("web (revision 3)").
	MountedBy []string `json:"mountedBy"`
}
