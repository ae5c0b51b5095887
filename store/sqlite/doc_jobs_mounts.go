package sqlite

import (
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// jobDoc is one job of a revision's service spec (spec.Job).
type jobDoc struct {
	Run     []string    `json:"run"`
	Before  string      `json:"before,omitempty"`
	After   string      `json:"after,omitempty"`
	Timeout durationDoc `json:"timeout"`
}

// jobRunDoc is one run of a job, kept on its service (store.JobRun).
type jobRunDoc struct {
	Job       string    `json:"job"`
	Revision  int       `json:"revision"`
	State     string    `json:"state"`
	Before    bool      `json:"before,omitempty"`
	Attempt   int       `json:"attempt,omitempty"`
	Instance  string    `json:"instance,omitempty"`
	StartedAt time.Time `json:"startedAt,omitzero"`
	EndedAt   time.Time `json:"endedAt,omitzero"`
	Exit      string    `json:"exit,omitempty"`
	Output    []string  `json:"output,omitempty"`
	By        string    `json:"by,omitempty"`
}

func toJobDocs(jobs map[string]*spec.Job) map[string]jobDoc {
	if len(jobs) == 0 {
		return nil
	}
	out := make(map[string]jobDoc, len(jobs))
	for name, j := range jobs {
		if j != nil {
			out[name] = jobDoc{Run: j.Run, Before: j.Before, After: j.After, Timeout: toDurationDoc(j.Timeout)}
		}
	}
	return out
}

func fromJobDocs(docs map[string]jobDoc) map[string]*spec.Job {
	if len(docs) == 0 {
		return nil
	}
	out := make(map[string]*spec.Job, len(docs))
	for name, d := range docs {
		out[name] = &spec.Job{Run: d.Run, Before: d.Before, After: d.After, Timeout: fromDurationDoc(d.Timeout)}
	}
	return out
}

func toJobRunDocs(runs []store.JobRun) []jobRunDoc {
	if len(runs) == 0 {
		return nil
	}
	out := make([]jobRunDoc, len(runs))
	for i, r := range runs {
		out[i] = jobRunDoc{
			Job: r.Job, Revision: r.Revision, State: string(r.State), Before: r.Before, Attempt: r.Attempt,
			Instance: r.Instance, StartedAt: r.StartedAt, EndedAt: r.EndedAt, Exit: r.Exit, Output: r.Output, By: r.By,
		}
	}
	return out
}

func fromJobRunDocs(docs []jobRunDoc) []store.JobRun {
	if len(docs) == 0 {
		return nil
	}
	out := make([]store.JobRun, len(docs))
	for i, d := range docs {
		out[i] = store.JobRun{
			Job: d.Job, Revision: d.Revision, State: store.JobState(d.State), Before: d.Before, Attempt: d.Attempt,
			Instance: d.Instance, StartedAt: d.StartedAt, EndedAt: d.EndedAt, Exit: d.Exit, Output: d.Output, By: d.By,
		}
	}
	return out
}

// mountDoc is a volume mounted by a revision's service (spec.Mount),
// with the volume's folder as it was when the revision was made.
type mountDoc struct {
	Volume string `json:"volume"`
	At     string `json:"at"`
	Path   string `json:"path,omitempty"`
}

func toMountDocs(ms []spec.Mount) []mountDoc {
	if len(ms) == 0 {
		return nil
	}
	out := make([]mountDoc, len(ms))
	for i, m := range ms {
		out[i] = mountDoc{Volume: m.Volume, At: m.At, Path: m.Path}
	}
	return out
}

func fromMountDocs(ds []mountDoc) []spec.Mount {
	if len(ds) == 0 {
		return nil
	}
	out := make([]spec.Mount, len(ds))
	for i, d := range ds {
		out[i] = spec.Mount{Volume: d.Volume, At: d.At, Path: d.Path}
	}
	return out
}
