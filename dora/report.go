package dora

import (
	"slices"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// Query says what to measure.
type Query struct {
	// Service limits the report to one service ("" = every service).
	Service string
	// Env is the environment measured ("" = Production).
	Env string
	// Production names the production environment ("" =
	// DefaultEnvironment).
	Production string
	// From and To bound the window [From, To); events from To on are
	// not read.
	From, To time.Time
}

// Report is the DORA metrics of one environment over a window.
type Report struct {
	Env        string
	Production bool
	From, To   time.Time
	// Total is every service of the report together; Services is each
	// service that had a deployment or an incident by To (and was not
	// removed before From), by name.
	Total    Metrics
	Services []ServiceMetrics
}

// ServiceMetrics is one service's metrics.
type ServiceMetrics struct {
	Service string
	Metrics
}

// Metrics are the four DORA metrics and what they are computed from.
type Metrics struct {
	// Deployments counts the successful deployments that finished in
	// the window; PerDay and PerWeek spread them over it.
	Deployments     int
	PerDay, PerWeek float64
	// LeadTime is commit to running, for each commit that first ran in
	// the window (only artifacts with commit and commitTime count).
	LeadTime Durations
	// Changes counts the deployments, successful or failed, that
	// finished in the window; ChangeFailures those of them that failed
	// (by To); ChangeFailureRate is their ratio (0 with no changes).
	Changes           int
	ChangeFailures    int
	ChangeFailureRate float64
	// Recovery is the recovery time of the failures that began in the
	// window and ended by To; Unrecovered counts those that did not.
	Recovery    Durations
	Unrecovered int
	// Incidents counts the incidents opened in the window; Unlinked those
	// that failed no deployment (no cause, or one that never ran here).
	Incidents, Unlinked int
	// Failures are the failures that began in the window, oldest first.
	Failures []Failure
	Ratings  Ratings
}

// Compute replays events (oldest first) and measures the window.
func Compute(events []store.Event, q Query) Report {
	q = q.withDefaults()
	return report(replay(events, q.Env, q.To), q)
}

// Log is one environment's replay kept between reads (a projection of
// its event log): each read folds in only the events appended since the
// last, instead of replaying the whole log. Not safe for concurrent use.
type Log struct {
	h   *history
	seq int64
}

// NewLog returns an empty replay of environment env's log.
func NewLog(env string) *Log {
	return &Log{h: replay(nil, env, time.Time{})}
}

// Seq is the sequence number of the last event folded in (0: none).
func (l *Log) Seq() int64 { return l.seq }

// Add folds in events, oldest first, each after Seq (others are skipped:
// already folded in).
func (l *Log) Add(events []store.Event) {
	for _, e := range events {
		if e.Seq > l.seq {
			l.h.apply(e)
			l.seq = e.Seq
		}
	}
}

// Report measures the window [q.From, q.To) over what was folded in; for
// a window that ends now (every event folded in happened before q.To).
// q.Env must be the log's environment.
func (l *Log) Report(q Query) Report {
	return report(l.h, q.withDefaults())
}

func report(h *history, q Query) Report {
	days := q.To.Sub(q.From).Hours() / 24
	r := Report{Env: q.Env, Production: q.Env == q.Production, From: q.From, To: q.To}
	var all tally
	for _, name := range sortedKeys(h.services) {
		s := h.services[name]
		if (q.Service != "" && name != q.Service) || !s.relevant(h, name, q.From) {
			continue
		}
		var t tally
		t.add(h, name, s, q.From, q.To)
		all.merge(t)
		r.Services = append(r.Services, ServiceMetrics{Service: name, Metrics: t.metrics(days)})
	}
	r.Total = all.metrics(days)
	return r
}

func (q Query) withDefaults() Query {
	if q.Production == "" {
		q.Production = DefaultEnvironment
	}
	if q.Env == "" {
		q.Env = q.Production
	}
	return q
}

// relevant reports whether a service belongs in a report from from on:
// it had a deployment or an incident, and was not removed before from
// (unless it came back).
func (s *serviceLog) relevant(h *history, name string, from time.Time) bool {
	if len(s.deployments) == 0 && !slices.ContainsFunc(h.opened, func(o openedIncident) bool { return o.service == name }) {
		return false
	}
	return s.removed.IsZero() || !s.removed.Before(from) || s.current != nil
}

// tally gathers the samples of one or more services.
type tally struct {
	m         Metrics
	lead, rec []time.Duration
}

// add counts service name's deployments, failures and incidents in
// [from, to).
func (t *tally) add(h *history, name string, s *serviceLog, from, to time.Time) {
	in := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }
	for _, d := range s.deployments {
		if !in(d.Finished) {
			continue
		}
		t.m.Changes++
		if d.Failure != nil {
			t.m.ChangeFailures++
		}
		if d.Succeeded {
			t.m.Deployments++
		}
		if d.NewCommit {
			t.lead = append(t.lead, d.LeadTime)
		}
		t.lead = append(t.lead, d.MoreLeadTimes...)
	}
	for _, f := range s.failures {
		if !in(f.Start) {
			continue
		}
		t.m.Failures = append(t.m.Failures, *f)
		if rt, ok := f.RecoveryTime(); ok {
			t.rec = append(t.rec, rt)
		} else {
			t.m.Unrecovered++
		}
	}
	for _, o := range h.opened {
		if o.service == name && in(o.at) {
			t.m.Incidents++
			if !o.linked {
				t.m.Unlinked++
			}
		}
	}
}

func (t *tally) merge(o tally) {
	t.m.Deployments += o.m.Deployments
	t.m.Changes += o.m.Changes
	t.m.ChangeFailures += o.m.ChangeFailures
	t.m.Unrecovered += o.m.Unrecovered
	t.m.Incidents += o.m.Incidents
	t.m.Unlinked += o.m.Unlinked
	t.m.Failures = append(t.m.Failures, o.m.Failures...)
	t.lead = append(t.lead, o.lead...)
	t.rec = append(t.rec, o.rec...)
}

// metrics finishes the figures over a window of days.
func (t tally) metrics(days float64) Metrics {
	m := t.m
	if days > 0 {
		m.PerDay = float64(m.Deployments) / days
		m.PerWeek = float64(m.Deployments) * 7 / days
	}
	if m.Changes > 0 {
		m.ChangeFailureRate = float64(m.ChangeFailures) / float64(m.Changes)
	}
	m.LeadTime, m.Recovery = summarize(slices.Clone(t.lead)), summarize(slices.Clone(t.rec))
	slices.SortStableFunc(m.Failures, func(a, b Failure) int { return a.Start.Compare(b.Start) })
	m.Ratings = Rate(m)
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
