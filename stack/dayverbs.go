package stack

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// The everyday verbs (issue 17) are edits to a running service's desired
// state, each with its event, in the caller's transaction. Neither makes
// a revision: changes to a service's spec do (apply, deploy, rollback);
// restart and scale do not.

// Restart asks for a rolling restart of the service's current revision:
// the rollout controller replaces every instance created before now, a
// few at a time with the zero-downtime rules of a rollout (a new one
// ready before an old one stops). Refused while the service is not
// Ready (mid-rollout, failed) or being removed.
func Restart(tx store.Tx, service string, now time.Time) error {
	svc, err := steady(tx, service, "restart")
	if err != nil {
		return err
	}
	svc.RestartedAt = now
	return putWithEvent(tx, svc, now, store.EventServiceRestartRequested,
		fmt.Sprintf("%s: rolling restart of revision %d requested", service, svc.Revision))
}

// Scale sets the service's instances at run time, until an apply
// changes the spec's instances (ScaleNotes says so in plan). n must be
// within 0..max (the server's limit per service).
func Scale(tx store.Tx, service string, n, max int, now time.Time) error {
	if n < 0 || n > max {
		return store.Invalidf("instances must be 0..%d (the server's limit per service, --max-instances-per-service), got %d", max, n)
	}
	svc, err := steady(tx, service, "scale")
	if err != nil {
		return err
	}
	rev, err := tx.GetRevision(service, svc.Revision)
	if err != nil {
		return err
	}
	if sc := rev.Spec.Scale; sc != nil {
		return store.Invalidf("%s autoscales between %d and %d instances (its scale: section): change those bounds in the spec and apply, instead of slipway scale", service, sc.Min, sc.Max)
	}
	from := rev.Spec.Replicas()
	if svc.Scale != nil {
		from = *svc.Scale
	}
	svc.Scale = &n
	data, err := json.Marshal(store.ScaleData{From: from, To: n})
	if err != nil {
		return err
	}
	svc.UpdatedAt = now
	if err := tx.PutService(svc); err != nil {
		return err
	}
	_, err = tx.AppendEvent(store.Event{Time: now, Type: store.EventServiceScaled, Service: service, Revision: svc.Revision, Data: data,
		Message: fmt.Sprintf("%s scaled from %d to %d instances (until an apply changes instances: %d in the spec)", service, from, n, rev.Spec.Replicas())})
	return err
}

// steady returns a service a verb may change: Ready, not being removed,
// no operation steering it.
func steady(tx store.Tx, service, verb string) (store.Service, error) {
	svc, err := tx.GetService(service)
	if err != nil {
		return svc, err
	}
	switch {
	case svc.Removed:
		return svc, store.Conflictf("%s is being removed: nothing to %s", service, verb)
	case svc.Phase != store.PhaseReady:
		return svc, store.Conflictf("%s is %s (revision %d): %s it once its rollout is over (slipway rollout status %s)",
			service, svc.Phase, svc.Revision, verb, service)
	}
	return svc, nil
}

// ScaleNotes says, for plan and apply, what becomes of the run-time
// scale of each service the change set keeps or changes: it ends when
// the apply changes the service's instances, and holds otherwise.
func ScaleNotes(tx store.Tx, cs spec.ChangeSet) ([]string, error) {
	var notes []string
	svcs, err := tx.ListServices()
	if err != nil {
		return nil, err
	}
	for _, svc := range svcs {
		if svc.Scale == nil || svc.Removed {
			continue
		}
		switch {
		case slices.Contains(cs.Removed, svc.Name):
		case changesInstances(cs, svc.Name):
			notes = append(notes, fmt.Sprintf("%s runs %d instances set by slipway scale: this apply changes instances, which ends that", svc.Name, *svc.Scale))
		default:
			notes = append(notes, fmt.Sprintf("%s keeps %d instances set by slipway scale until an apply changes its instances", svc.Name, *svc.Scale))
		}
	}
	return notes, nil
}

func changesInstances(cs spec.ChangeSet, name string) bool {
	for _, ch := range cs.Changed {
		if ch.Name == name && slices.ContainsFunc(ch.Fields, func(f spec.FieldChange) bool { return f.Path == "instances" }) {
			return true
		}
	}
	return false
}

// endScale drops the run-time scale of every service whose instances
// the change set changes: the spec's number holds again.
func endScale(tx store.Tx, cs spec.ChangeSet, now time.Time) error {
	for _, ch := range cs.Changed {
		if !changesInstances(cs, ch.Name) {
			continue
		}
		svc, err := tx.GetService(ch.Name)
		if err != nil {
			return err
		}
		if svc.Scale == nil {
			continue
		}
		svc.Scale, svc.UpdatedAt = nil, now
		if err := tx.PutService(svc); err != nil {
			return err
		}
	}
	return nil
}
