package httpapi

import (
	"fmt"
	"net/http"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/store"
)

// jobs handles GET /v1/services/{name}/jobs: every run kept, with its
// output (a running one's so far).
func (h *handler) jobs(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var out api.JobList
	err := h.in(r).Store.View(r.Context(), func(tx store.Tx) error {
		svc, err := tx.GetService(name)
		if err != nil {
			return err
		}
		out = api.JobList{Service: name, Jobs: []string{}, Runs: []api.JobRun{}}
		if rev, err := tx.GetRevision(name, svc.Revision); err == nil {
			out.Jobs = append(out.Jobs, rev.Spec.JobNames()...)
		}
		for _, run := range svc.Jobs {
			out.Runs = append(out.Runs, jobRunView(run))
		}
		return nil
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	if logs := h.in(r).Logs; logs != nil {
		for i, run := range out.Runs {
			if run.State == string(store.JobRunning) {
				out.Runs[i].Output, _ = logs.Logs(r.Context(), run.Instance, 20)
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func jobRunView(r store.JobRun) api.JobRun {
	when := "after ready"
	switch {
	case r.By != "":
		when = "by hand"
	case r.Before:
		when = "before rollout"
	}
	return api.JobRun{Job: r.Job, Revision: r.Revision, State: string(r.State), When: when, Attempt: r.Attempt,
		Instance: r.Instance, StartedAt: r.StartedAt, EndedAt: r.EndedAt, Exit: r.Exit, Output: r.Output, By: r.By}
}

// runJob handles POST /v1/services/{name}/jobs/{job}/run: a Waiting run
// on the service, which its controller starts (one run at a time).
func (h *handler) runJob(w http.ResponseWriter, r *http.Request) {
	name, job := r.PathValue("name"), r.PathValue("job")
	var req api.JobRunRequest
	if err := decodeOptional(r, &req); err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	by := store.ActorFrom(r.Context())
	if by == "" {
		by = "api"
	}
	var out api.JobRun
	err := h.in(r).Store.Update(r.Context(), func(tx store.Tx) error {
		run, err := requestJob(tx, name, job, req.Revision, by)
		if err != nil {
			return err
		}
		now := h.cfg.Clock.Now()
		_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventJobRequested, Service: name, Revision: run.Revision,
			Message: fmt.Sprintf("job %s of %s revision %d asked for by hand", job, name, run.Revision)})
		out = jobRunView(run)
		return err
	})
	if err != nil {
		writeError(w, h.cfg.Logger, err)
		return
	}
	h.in(r).Enqueue(queue.ServiceKey(name))
	writeJSON(w, http.StatusAccepted, out)
}

// requestJob adds a run by hand of job to the service's record.
func requestJob(tx store.Tx, name, job string, revision int, by string) (store.JobRun, error) {
	svc, err := tx.GetService(name)
	if err != nil {
		return store.JobRun{}, err
	}
	if revision == 0 {
		revision = svc.Stable
		if revision == 0 {
			revision = svc.Revision
		}
	}
	rev, err := tx.GetRevision(name, revision)
	if err != nil {
		return store.JobRun{}, err
	}
	if rev.Spec.Jobs[job] == nil {
		return store.JobRun{}, store.NotFoundf("revision %d of %s has no job %q; its jobs: %v", revision, name, job, rev.Spec.JobNames())
	}
	for _, r := range svc.Jobs {
		if r.Job == job && !r.State.Terminal() && r.By != "" {
			return store.JobRun{}, store.Conflictf("job %s of %s already waits or runs (asked by %s)", job, name, r.By)
		}
	}
	run := store.JobRun{Job: job, Revision: revision, State: store.JobWaiting, By: by}
	svc.Jobs = append(svc.Jobs, run)
	return run, tx.PutService(svc)
}
