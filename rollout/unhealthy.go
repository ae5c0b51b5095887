package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// episode is a service's spell of bad health as the controller saw it,
// kept in memory: a restarted server starts a new spell, and reports it
// again once it lasts UnhealthyAfter.
//
//	healthy --unhealthy--> waiting --UnhealthyAfter passed--> reported
//	   ^                      |                                  |
//	   +-------healthy--------+----healthy (EventServiceRecovered)+
type episode struct {
	since    time.Time // when the spell began; zero: healthy
	reported bool      // EventServiceUnhealthy written for this spell
}

// healthStep is what a pass writes about a service's health.
type healthStep int

const (
	healthQuiet     healthStep = iota // nothing to write
	healthReport                      // write EventServiceUnhealthy
	healthRecovered                   // write EventServiceRecovered
)

// nextEpisode moves a service's episode on by one observation. It is
// pure. again, when not zero, is when the spell would last long enough
// to be reported: the pass asks to be run again then, since a service
// that stays unhealthy may change nothing that would wake it.
func nextEpisode(ep episode, healthy bool, now time.Time, after time.Duration) (next episode, step healthStep, again time.Duration) {
	if healthy {
		if ep.reported {
			return episode{}, healthRecovered, 0
		}
		return episode{}, healthQuiet, 0
	}
	if ep.since.IsZero() {
		ep.since = now
	}
	if ep.reported {
		return ep, healthQuiet, 0
	}
	if due := ep.since.Add(after); now.Before(due) {
		return ep, healthQuiet, due.Sub(now)
	}
	ep.reported = true
	return ep, healthReport, 0
}

// serviceHealth says whether a service runs as desired: as many ready
// instances of its target revision as it wants, and none of them running
// but not ready (one just started counts too: UnhealthyAfter is far
// longer than a start); when not, reason says what is wrong.
func serviceHealth(s snapshot, p workload.Plan, desired int) (healthy bool, reason string) {
	for _, in := range s.instances {
		if in.Revision == s.svc.Revision && in.State == store.InstanceRunning && !in.Ready {
			return false, fmt.Sprintf("instance %s not ready: %s", in.ID, in.Message)
		}
	}
	if p.Available < desired {
		return false, fmt.Sprintf("%d of %d instances ready", p.Available, desired)
	}
	return true, ""
}

// watchHealth writes EventServiceUnhealthy once a service has been
// unhealthy for UnhealthyAfter, and EventServiceRecovered when it is
// healthy again; it returns when to look again (0: no need). A service
// gone or removed ends its spell without an event.
func (c *Controller) watchHealth(ctx context.Context, name string, s snapshot, p workload.Plan, desired int, now time.Time) (time.Duration, error) {
	if c.cfg.UnhealthyAfter <= 0 {
		return 0, nil
	}
	c.mu.Lock()
	ep := c.episodes[name]
	c.mu.Unlock()
	if !s.found || s.svc.Removed || s.svc.Revision == 0 {
		c.setEpisode(name, episode{})
		return 0, nil
	}
	healthy, reason := serviceHealth(s, p, desired)
	next, step, again := nextEpisode(ep, healthy, now, c.cfg.UnhealthyAfter)
	if step != healthQuiet {
		if err := c.healthEvent(ctx, s.svc, step, next, ep, p.Available, desired, reason, now); err != nil {
			return time.Second, err // the episode stays as it was: the next pass writes it
		}
	}
	c.setEpisode(name, next)
	return again, nil
}

func (c *Controller) setEpisode(name string, ep episode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ep.since.IsZero() {
		delete(c.episodes, name)
		return
	}
	c.episodes[name] = ep
}

// healthEvent writes the event of a step: prev is the spell before it
// (a recovery's start is there), next after it.
func (c *Controller) healthEvent(ctx context.Context, svc store.Service, step healthStep, next, prev episode, ready, desired int, reason string, now time.Time) error {
	data := store.UnhealthyData{Since: next.since, Ready: ready, Desired: desired, Reason: reason}
	typ := store.EventServiceUnhealthy
	msg := fmt.Sprintf("service %s unhealthy for %s: %s", svc.Name, now.Sub(next.since).Round(time.Second), reason)
	if step == healthRecovered {
		data.Since, typ = prev.since, store.EventServiceRecovered
		msg = fmt.Sprintf("service %s healthy again after %s: %d of %d instances ready", svc.Name, now.Sub(prev.since).Round(time.Second), ready, desired)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.AppendEvent(store.Event{Time: now, Type: typ, Service: svc.Name, Revision: svc.Revision, Message: msg, By: "health", Data: raw})
		return err
	})
}
