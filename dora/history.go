package dora

import (
	"encoding/json"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// history is the event log replayed for one environment up to a moment:
// every deployment, failure and incident, per service.
type history struct {
	env         string
	rollbackOps map[int64]bool // operations that are `slipway rollback`s
	services    map[string]*serviceLog
	incidents   map[int]*Failure // the failure each incident is linked to
	opened      []openedIncident
}

// openedIncident is an incident as the metrics count it.
type openedIncident struct {
	service string
	at      time.Time
	linked  bool
}

// serviceLog is one service's replayed history.
type serviceLog struct {
	// restoreOp is the operation reverting the service (its
	// service.rollback.started), whose outcome is a restore.
	restoreOp int64
	// current is the latest deployment that ended; restored says an
	// earlier revision was restored since (production runs a revision no
	// deployment brought).
	current     *deployment
	restored    bool
	byRevision  map[int]*deployment // the latest deployment of each revision
	commits     map[spec.CommitID]bool
	deployments []*deployment
	failures    []*Failure
	open        []*Failure
	removed     time.Time // when the service was last removed
}

// replay folds the events (in log order) from before to into a history
// of env. It skips later ones rather than stopping at the first: a clock
// set back makes a later event look earlier.
func replay(events []store.Event, env string, to time.Time) *history {
	h := &history{env: env, rollbackOps: map[int64]bool{}, services: map[string]*serviceLog{}, incidents: map[int]*Failure{}}
	for _, e := range events {
		if e.Time.Before(to) {
			h.apply(e)
		}
	}
	return h
}

func (h *history) service(name string) *serviceLog {
	s := h.services[name]
	if s == nil {
		s = &serviceLog{byRevision: map[int]*deployment{}, commits: map[spec.CommitID]bool{}}
		h.services[name] = s
	}
	return s
}

// apply folds one event in.
func (h *history) apply(e store.Event) {
	if e.Type == store.EventRollbackRequested {
		h.rollbackOps[e.Operation] = true // whatever the environment: ops are global
	}
	if e.Type == store.EventIncidentOpened || e.Type == store.EventIncidentResolved {
		h.incident(e)
		return
	}
	if e.Service == "" || envOf(e) != h.env {
		return
	}
	s := h.service(e.Service)
	restore := h.rollbackOps[e.Operation] || (s.restoreOp != 0 && s.restoreOp == e.Operation)
	switch e.Type {
	case store.EventRollbackRequested:
		s.blameCurrent(CauseRollback, e.Time, func(*deployment) bool { return true })
	case store.EventRollbackStarted:
		// Only a deployment of the reverted operation that succeeded is
		// rolled back; one still in flight never ran in production.
		s.blameCurrent(CauseReverted, e.Time, func(d *deployment) bool { return d.Operation == e.Operation })
		s.restoreOp = e.Operation
	case store.EventRolloutSucceeded:
		s.succeeded(e, restore)
	case store.EventRolloutFailed:
		s.failed(e, CauseRollout, restore)
	case store.EventCanaryRolledBack, store.EventParallelRunRolledBack:
		s.failed(e, CauseAnalysis, restore)
	case store.EventServiceRemoved:
		s.heal(e.Time, RecoveredByRemoval)
		s.restoreOp, s.current, s.restored, s.removed = 0, nil, false, e.Time
	}
}

// succeeded ends a rollout that converged: a deployment succeeded (a fix
// for any failure still open), or, when the rollout is a rollback or a
// revert, an earlier revision is restored.
func (s *serviceLog) succeeded(e store.Event, restore bool) {
	if restore {
		s.restoreOp, s.restored = 0, s.current != nil
		s.heal(e.Time, RecoveredByRollback)
		return
	}
	d := s.ended(e)
	if d == nil {
		return
	}
	d.Succeeded = true
	own, ok, more := commitsOf(e)
	if ok && !s.commits[own.id] {
		s.commits[own.id] = true
		d.Commit, d.NewCommit, d.LeadTime = own.id, true, max(e.Time.Sub(own.when), 0)
	}
	for _, c := range more {
		if !s.commits[c.id] {
			s.commits[c.id] = true
			d.MoreLeadTimes = append(d.MoreLeadTimes, max(e.Time.Sub(c.when), 0))
		}
	}
	s.heal(e.Time, RecoveredByFix)
	s.current, s.restored = d, false
}

// failed ends a deployment that failed on its own (a failed restore
// changes nothing: its failure stays open).
func (s *serviceLog) failed(e store.Event, cause Cause, restore bool) {
	if restore {
		return
	}
	d := s.ended(e)
	if d == nil {
		return
	}
	s.fail(d, cause, e.Time)
	s.current, s.restored = d, false
}

// ended records the deployment a rollout outcome event ends; nil for a
// repeated outcome of the deployment that ended last.
func (s *serviceLog) ended(e store.Event) *deployment {
	if c := s.current; c != nil && c.Revision == e.Revision && c.Operation == e.Operation {
		return nil
	}
	d := &deployment{Service: e.Service, Revision: e.Revision, Operation: e.Operation, Finished: e.Time}
	s.byRevision[d.Revision] = d
	s.deployments = append(s.deployments, d)
	return d
}

// blameCurrent fails the deployment whose revision runs in production,
// if blame accepts it and it has not failed already.
func (s *serviceLog) blameCurrent(cause Cause, at time.Time, blame func(*deployment) bool) {
	if d := s.current; d != nil && d.Succeeded && !s.restored && d.Failure == nil && blame(d) {
		s.fail(d, cause, at)
	}
}

func (s *serviceLog) fail(d *deployment, cause Cause, at time.Time) *Failure {
	f := &Failure{Service: d.Service, Revision: d.Revision, Cause: cause, Start: at}
	d.Failure = f
	s.failures = append(s.failures, f)
	s.open = append(s.open, f)
	return f
}

// heal ends every open failure: the service is healthy again.
func (s *serviceLog) heal(at time.Time, by Recovery) {
	for _, f := range s.open {
		f.Recovered, f.RecoveredBy = at, by
	}
	s.open = nil
}

// incident links an opened incident to the deployment of the revision
// it names, failing it; resolving heals the service.
func (h *history) incident(e store.Event) {
	var d store.IncidentData
	if json.Unmarshal(e.Data, &d) != nil || orDefault(d.Env) != h.env || e.Service == "" {
		return
	}
	s := h.service(e.Service)
	if e.Type == store.EventIncidentResolved {
		if f := h.incidents[d.ID]; f != nil && f.Recovered.IsZero() {
			s.heal(e.Time, RecoveredByResolve)
		}
		return
	}
	dep := s.byRevision[d.CausedBy]
	h.opened = append(h.opened, openedIncident{service: e.Service, at: e.Time, linked: dep != nil})
	if dep == nil {
		return
	}
	f := dep.Failure
	if f == nil {
		f = s.fail(dep, CauseIncident, e.Time)
	}
	if f.Incident == 0 {
		f.Incident = d.ID
	}
	h.incidents[d.ID] = f
}

func orDefault(env string) string {
	if env == "" {
		return DefaultEnvironment
	}
	return env
}
