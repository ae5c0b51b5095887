package httpapi

import (
	"encoding/json"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

func toPlan(app string, cs spec.ChangeSet) api.Plan {
	p := api.Plan{App: app, Added: nonNil(cs.Added), Removed: nonNil(cs.Removed), Unchanged: nonNil(cs.Unchanged), Changed: []api.ServiceChange{}}
	for _, c := range cs.Changed {
		sc := api.ServiceChange{Name: c.Name}
		for _, f := range c.Fields {
			sc.Fields = append(sc.Fields, api.FieldChange{Path: f.Path, Old: f.Old, New: f.New})
		}
		p.Changed = append(p.Changed, sc)
	}
	return p
}

// toChanges is a flag or segment change set on the wire; nil when empty.
func toChanges(cs spec.ChangeSet) *api.Changes {
	if cs.Empty() {
		return nil
	}
	p := toPlan("", cs)
	return &api.Changes{Added: p.Added, Changed: p.Changed, Removed: p.Removed}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toOperation(op store.Operation) api.Operation {
	out := api.Operation{ID: op.ID, Kind: string(op.Kind), State: string(op.State), Terminal: op.State.Terminal(),
		Message: op.Message, CreatedAt: op.CreatedAt, UpdatedAt: op.UpdatedAt, Changes: []api.Change{}, EventsAfter: op.EventsAfter}
	for _, c := range op.Changes {
		out.Changes = append(out.Changes, api.Change{Service: c.Service, From: c.From, To: c.To, Started: c.Started, Done: c.Done})
	}
	if f := op.Failure; f != nil {
		out.Failure = &api.Failure{Service: f.Service, Instance: f.Instance, Reason: f.Reason, Logs: f.Logs}
	}
	return out
}

func toEvent(e store.Event) api.Event {
	return api.Event{Seq: e.Seq, Time: e.Time, Type: string(e.Type), Service: e.Service, Revision: e.Revision,
		Instance: e.Instance, Operation: e.Operation, Message: e.Message, By: e.By, Data: e.Data}
}

func toRevision(r store.Revision, current int) api.Revision {
	raw, _ := json.Marshal(r.Spec)
	out := api.Revision{Service: r.Service, Number: r.Number, State: string(r.State), Reason: r.Reason,
		CreatedAt: r.CreatedAt, Current: r.Number == current, Spec: raw}
	if a := r.Spec.Artifact; a != nil {
		out.Version, out.Digest = a.Version, a.Digest
	}
	if r.Spec.RunsImage() {
		out.Digest = spec.ImageDigest(r.Spec.Image)
	}
	return out
}

func toInstance(in store.Instance) api.Instance {
	return api.Instance{ID: in.ID, Revision: in.Revision, PID: in.PID, Port: in.Port, State: string(in.State),
		Ready: in.Ready && in.State == store.InstanceRunning, Restarts: in.Restarts, LastExit: in.LastExit,
		Message: in.Message, StartedAt: in.StartedAt}
}

// toTLSChanges is a TLS change on the wire; nil when empty.
func toTLSChanges(c spec.TLSChange) *api.TLSChanges {
	if c.Empty() {
		return nil
	}
	out := &api.TLSChanges{}
	for _, f := range c.Fields {
		out.Fields = append(out.Fields, api.FieldChange{Path: f.Path, Old: f.Old, New: f.New})
	}
	host := func(h spec.TLSHost) api.TLSHost {
		return api.TLSHost{Host: h.Host, Service: h.Service, Certificate: h.Certificate, OldCertificate: h.Old}
	}
	for _, h := range c.Added {
		out.Added = append(out.Added, host(h))
	}
	for _, h := range c.Removed {
		out.Removed = append(out.Removed, host(h))
	}
	for _, h := range c.Changed {
		out.Changed = append(out.Changed, host(h))
	}
	return out
}
