package workload

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// Desired is what should run for one service.
type Desired struct {
	// Revision is the target revision.
	Revision int
	// Replicas is how many ready instances of Revision should run.
	Replicas int
	// MaxSurge is how many instances above Replicas may run while old
	// revisions are replaced; MaxUnavailable how many below Replicas may
	// be unavailable.
	MaxSurge, MaxUnavailable int
	// MinReady is how long an instance must stay ready to count.
	MinReady time.Duration
	// Removed means no instance should run.
	Removed bool
	// Keep is a revision whose instances are left running as they are
	// (blue/green's previous revision, until it is scaled down): neither
	// replaced nor counted against the surge.
	Keep int
	// Active is the revision taking the traffic now (0: none in
	// particular); of the instances to stop, its own go last.
	Active int
	// RestartedAt, when set, asks for a rolling restart: target-revision
	// instances created before it are replaced as an old revision's are
	// (within MaxSurge and MaxUnavailable), by new ones of the same
	// revision.
	RestartedAt time.Time
}

// Observed is one instance as the controller sees it: its record, what
// the driver reports of its process, and its liveness.
type Observed struct {
	Instance store.Instance
	// Process is nil when the driver knows nothing of the instance.
	Process *Status
	// Unhealthy, when set, says why the liveness check fails.
	Unhealthy string
	// Stopping is set while a stop of the process is in flight.
	Stopping bool
}

// ActionKind names a step the controller takes on an instance.
type ActionKind int

// Action kinds.
const (
	// Create a new instance of Action.Revision and start it.
	Create ActionKind = iota
	// Start (or restart) the instance's process.
	Start
	// Stop the instance for good: drain, SIGTERM, SIGKILL.
	Stop
	// Kill the process of a live but unhealthy instance so it restarts.
	Kill
	// Exited records that the process ended and schedules a restart.
	Exited
	// Forget removes a stopped instance's record and files.
	Forget
)

var actionNames = [...]string{"create", "start", "stop", "kill", "exited", "forget"}

func (k ActionKind) String() string { return actionNames[k] }

// Action is one step. Fields beyond Kind are set as the kind needs.
type Action struct {
	Kind     ActionKind
	ID       string
	Revision int
	Reason   string
	// Crashes and NextStart are the new backoff state (Exited only).
	Crashes   int
	NextStart time.Time
}

func (a Action) String() string {
	if a.ID == "" {
		return fmt.Sprintf("%s r%d", a.Kind, a.Revision)
	}
	return fmt.Sprintf("%s %s", a.Kind, a.ID)
}

// Plan is the result of a decision: steps to apply now, what the
// service looks like, and when to look again.
type Plan struct {
	Actions []Action
	// Converged: Replicas available instances of the target revision and
	// no instance of another revision left.
	Converged bool
	// Available counts target-revision instances ready for MinReady.
	Available int
	// Progressed is when the newest of those became available (its
	// ReadySince plus MinReady); zero when none is. A rollout that makes
	// progress moves its deadline (rollout.keepGoing), as a Deployment's
	// progressDeadlineSeconds counts from its last progress.
	Progressed time.Time
	// Requeue, when not zero, is when a decision should be made again
	// even if nothing is observed to change (a backoff or MinReady ends).
	Requeue time.Duration
}

func (p *Plan) add(a Action) { p.Actions = append(p.Actions, a) }

// stop plans a Stop, replacing any other step planned for the instance:
// there is no point restarting what is about to be stopped.
func (p *Plan) stop(id, reason string) {
	p.Actions = slices.DeleteFunc(p.Actions, func(a Action) bool { return a.ID == id })
	p.add(Action{Kind: Stop, ID: id, Reason: reason})
}

func (p *Plan) requeueIn(d time.Duration) {
	d = max(d, time.Millisecond)
	if p.Requeue == 0 || d < p.Requeue {
		p.Requeue = d
	}
}

// Decide compares desired state with observed instances and returns the
// next safe steps. It is pure: the same inputs give the same plan.
//
// It creates at most MaxStartsPerPass instances a pass (fewer by those
// created and not started yet), and then asks to be called again.
//
// It never plans more than Replicas+MaxSurge running processes, counting
// those still stopping (Replicas when no other revision runs and none is
// stopping), and never stops a ready instance when that would leave fewer
// than Replicas-MaxUnavailable available.
func Decide(d Desired, obs []Observed, now time.Time, rp RestartPolicy) Plan {
	var p Plan
	live, leaving := lifecycle(&p, obs, now, rp)
	if d.Removed {
		for _, o := range live {
			p.stop(o.Instance.ID, "service removed")
		}
		return p
	}
	cur, old := split(live, d.Revision, d.Keep, d.RestartedAt)
	cur = scaleDown(&p, d, cur)
	create(&p, d, cur, old, leaving)
	avail := available(&p, cur, d.MinReady, now) + available(nil, old, 0, now)
	p.Available = available(nil, cur, d.MinReady, now)
	p.Progressed = progressed(cur, d.MinReady, now)
	replace(&p, d, old, avail)
	p.Converged = p.Available >= d.Replicas && len(cur) == d.Replicas && len(old) == 0
	return p
}

// lifecycle handles each instance's own lifecycle (ended processes,
// backoffs, liveness, finished stops) and returns the live instances:
// those meant to keep running.
func lifecycle(p *Plan, obs []Observed, now time.Time, rp RestartPolicy) (live []Observed, leaving int) {
	for _, o := range obs {
		in, running := o.Instance, o.Process != nil && o.Process.Running
		switch {
		case in.State == store.InstanceStopping:
			if running {
				leaving++
			}
			switch {
			case !running:
				p.add(Action{Kind: Forget, ID: in.ID, Reason: "stopped"})
			case !o.Stopping: // e.g. the server restarted mid-stop
				p.add(Action{Kind: Stop, ID: in.ID, Reason: in.Message})
			}
			continue
		case in.State == store.InstancePending:
			p.add(Action{Kind: Start, ID: in.ID, Reason: "new instance"})
		case in.State == store.InstanceRunning && !running:
			p.add(exited(o, now, rp))
			o.Instance.Ready = false
		case in.State == store.InstanceRunning && o.Unhealthy != "":
			p.add(Action{Kind: Kill, ID: in.ID, Reason: "liveness failing: " + o.Unhealthy})
			o.Instance.Ready = false
		case in.State == store.InstanceBackoff || in.State == store.InstanceExited:
			if wait := in.NextStart.Sub(now); wait > 0 && !running {
				p.requeueIn(wait)
			} else {
				p.add(Action{Kind: Start, ID: in.ID, Reason: "restart after backoff"})
			}
		}
		live = append(live, o)
	}
	return live, leaving
}

func exited(o Observed, now time.Time, rp RestartPolicy) Action {
	in := o.Instance
	reason := "process not found"
	if o.Process != nil && o.Process.Exit != "" {
		reason = o.Process.Exit
	}
	crashes := in.Crashes + 1
	if !in.StartedAt.IsZero() && now.Sub(in.StartedAt) >= rp.Reset {
		crashes = 1
	}
	return Action{Kind: Exited, ID: in.ID, Reason: reason, Crashes: crashes, NextStart: now.Add(rp.Backoff(crashes))}
}

func split(live []Observed, rev, keep int, restartedAt time.Time) (cur, old []Observed) {
	for _, o := range live {
		switch o.Instance.Revision {
		case rev:
			if o.Instance.CreatedAt.Before(restartedAt) {
				old = append(old, o) // a restart replaces it
				continue
			}
			cur = append(cur, o)
		case keep:
		default:
			old = append(old, o)
		}
	}
	return cur, old
}

// scaleDown stops target-revision instances beyond Replicas, the least
// useful first, and returns those that stay.
func scaleDown(p *Plan, d Desired, cur []Observed) []Observed {
	if len(cur) <= d.Replicas {
		return cur
	}
	sortVictims(cur, d.Active)
	for _, o := range cur[:len(cur)-d.Replicas] {
		p.stop(o.Instance.ID, fmt.Sprintf("scaled down to %d", d.Replicas))
	}
	return cur[len(cur)-d.Replicas:]
}

// create adds target-revision instances up to Replicas, within the surge
// budget while other revisions still run.
// Instances still leaving (draining, stopping) count against the surge:
// they hold resources until their process is gone.
func create(p *Plan, d Desired, cur, old []Observed, leaving int) {
	need := d.Replicas - len(cur)
	if len(old) > 0 || leaving > 0 {
		need = min(need, d.Replicas+d.MaxSurge-len(cur)-len(old)-leaving)
	}
	if budget := MaxStartsPerPass - pending(cur); need > budget {
		need = max(budget, 0)
		p.requeueIn(0) // the rest next pass, once these are recorded
	}
	for range max(need, 0) {
		p.add(Action{Kind: Create, Revision: d.Revision, Reason: fmt.Sprintf("want %d of revision %d", d.Replicas, d.Revision)})
	}
}

// MaxStartsPerPass bounds the new instances one decision starts: created
// now, or created by an earlier pass and not started yet. A service
// scaled from 1 to 100 grows by this many a pass, so one pass stays
// short, the store sees a few writes at a time, and a spec asking for
// too much is noticed (and can be changed) before it has taken the
// machine.
const MaxStartsPerPass = 8

// pending counts the instances created but not started yet.
func pending(obs []Observed) int {
	n := 0
	for _, o := range obs {
		if o.Instance.State == store.InstancePending {
			n++
		}
	}
	return n
}

// replace stops old-revision instances: unready ones freely, ready ones
// only while enough instances stay available.
func replace(p *Plan, d Desired, old []Observed, avail int) {
	sortVictims(old, d.Active)
	spare := avail - (d.Replicas - d.MaxUnavailable)
	for _, o := range old {
		if o.Instance.Ready {
			if spare <= 0 {
				continue
			}
			spare--
		}
		p.stop(o.Instance.ID, fmt.Sprintf("replaced by revision %d", d.Revision))
	}
}

// available counts ready instances that have been ready for minReady;
// with a plan, it asks to be woken when the next one will count.
func available(p *Plan, obs []Observed, minReady time.Duration, now time.Time) int {
	n := 0
	for _, o := range obs {
		in := o.Instance
		if !in.Ready || in.State != store.InstanceRunning {
			continue
		}
		if held := now.Sub(in.ReadySince); held >= minReady {
			n++
		} else if p != nil {
			p.requeueIn(minReady - held)
		}
	}
	return n
}

// progressed returns when the newest instance of obs that is available
// (ready for minReady) became so; zero when none is.
func progressed(obs []Observed, minReady time.Duration, now time.Time) time.Time {
	var at time.Time
	for _, o := range obs {
		in := o.Instance
		if !in.Ready || in.State != store.InstanceRunning || now.Sub(in.ReadySince) < minReady {
			continue
		}
		if t := in.ReadySince.Add(minReady); t.After(at) {
			at = t
		}
	}
	return at
}

// sortVictims orders instances from the first to stop to the last: not
// ready before ready, then those of other revisions than active (the one
// users are on), then newest first, then by ID.
func sortVictims(obs []Observed, active int) {
	slices.SortStableFunc(obs, func(a, b Observed) int {
		if a.Instance.Ready != b.Instance.Ready {
			if !a.Instance.Ready {
				return -1
			}
			return 1
		}
		if aa, ba := a.Instance.Revision == active, b.Instance.Revision == active; aa != ba {
			if ba {
				return -1
			}
			return 1
		}
		if c := b.Instance.CreatedAt.Compare(a.Instance.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Instance.ID, b.Instance.ID)
	})
}
