package spec

import (
	"maps"
	"slices"
	"time"
)

// Job is a command that runs once per revision of its service, in the
// revision's exact environment (artifact or image, env, user, limits),
// not once per instance: a schema migration before the revision takes
// traffic, a cache warm-up once it is ready. A job runs when a revision is
// rolled out, never on a rollback; `slipway job run` runs one by hand.
// One-off jobs on a schedule (cron) are not supported.
type Job struct {
	// Run is the command and its arguments, expanded like the service's
	// run (for a service that runs an image: the program inside it).
	Run []string `yaml:"run" json:"run"`
	// Before is when the job must have succeeded: "rollout" (before any
	// instance of the revision starts). Exactly one of Before and After.
	Before string `yaml:"before,omitempty" json:"before,omitempty"`
	// After is when the job starts: "ready" (once the revision is ready).
	After string `yaml:"after,omitempty" json:"after,omitempty"`
	// Timeout bounds one run (default DefaultJobTimeout); a job still
	// running then is killed and has failed.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout"`
}

// The only values of Job.Before and Job.After.
const (
	JobBeforeRollout = "rollout"
	JobAfterReady    = "ready"
)

// DefaultJobTimeout bounds a job that sets no timeout.
const DefaultJobTimeout = 10 * time.Minute

// BeforeRollout reports whether the job gates the revision's rollout.
func (j *Job) BeforeRollout() bool { return j.Before == JobBeforeRollout }

// JobNames returns the service's job names, sorted: the order jobs of the
// same kind run in.
func (s *Service) JobNames() []string { return sortedNames(s.Jobs) }

func (j *Job) applyDefaults() { orDefault(&j.Timeout, DefaultJobTimeout) }

func cloneJobs(jobs map[string]*Job) map[string]*Job {
	if jobs == nil {
		return nil
	}
	c := maps.Clone(jobs)
	for k, j := range c {
		if j != nil {
			cj := *j
			cj.Run = slices.Clone(j.Run)
			c[k] = &cj
		}
	}
	return c
}

// jobs checks a service's jobs: names, a command, and exactly one known
// moment.
func (v *validator) jobs(p string, s *Service) {
	for _, name := range sortedNames(s.Jobs) {
		jp := p + ".jobs." + name
		if !isDNSLabel(name) {
			v.addf(jp, "invalid job name %q: %s", name, dnsLabelRule)
		}
		j := s.Jobs[name]
		if j == nil {
			v.addf(jp, `empty job: write {run: [...], before: rollout} or {run: [...], after: ready}`)
			continue
		}
		v.run(jp+".run", j.Run, s.Env)
		v.jobWhen(jp, j)
		v.nonNegative(jp+".timeout", j.Timeout)
	}
}

// jobWhen checks that a job says when it runs, with a known value.
func (v *validator) jobWhen(jp string, j *Job) {
	switch {
	case j.Before != "" && j.After != "":
		v.addf(jp+".after", "a job runs before: rollout or after: ready, not both")
	case j.Before == "" && j.After == "":
		v.addf(jp, "say when the job runs: before: rollout (must succeed before the revision starts) or after: ready (once it is ready)")
	case j.Before != "" && j.Before != JobBeforeRollout:
		v.addf(jp+".before", "unknown moment %q: the only one is rollout (the job must succeed before any instance of the revision starts)", j.Before)
	case j.After != "" && j.After != JobAfterReady:
		v.addf(jp+".after", "unknown moment %q: the only one is ready (the job runs once the revision is ready)", j.After)
	}
}
