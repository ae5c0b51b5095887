package stack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Source is the spec text an apply came from.
type Source struct {
	File string
	Text string
	// Dir is the spec file's directory, where gates' commands run.
	Dir string
}

// Current returns the effective spec of every service's target revision
// (services being removed are left out).
func Current(tx store.Tx) (map[string]*spec.Service, error) {
	svcs, err := tx.ListServices()
	if err != nil {
		return nil, err
	}
	cur := make(map[string]*spec.Service, len(svcs))
	for _, s := range svcs {
		if s.Removed || s.Revision == 0 {
			continue
		}
		r, err := tx.GetRevision(s.Name, s.Revision)
		if err != nil {
			return nil, fmt.Errorf("revision %d of %s: %w", s.Revision, s.Name, err)
		}
		// Defaults added since the revision was stored apply to it too,
		// so that a newer server does not see every service as changed.
		r.Spec.ApplyDefaults()
		cur[s.Name] = &r.Spec
	}
	return cur, nil
}

// Plan returns what applying app would change in the services. A spec
// without a services: section (a file of flags only) changes none: it
// is not a spec of no services, which would remove them all.
func Plan(tx store.Tx, app *spec.App) (spec.ChangeSet, error) {
	if err := checkApp(tx, app); err != nil {
		return spec.ChangeSet{}, err
	}
	if !app.HasServices() {
		return spec.ChangeSet{}, nil
	}
	cur, err := Current(tx)
	if err != nil {
		return spec.ChangeSet{}, err
	}
	return spec.Diff(cur, app.Services), nil
}

// checkApp refuses a spec for another app than the one the server runs:
// one server (one data directory) runs one app.
func checkApp(tx store.Tx, app *spec.App) error {
	a, err := tx.GetApp()
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Name == app.Name) {
		return nil
	}
	if err != nil {
		return err
	}
	return store.Conflictf("this server runs app %q (applied from %s), not %q; run another server with its own --data for another app",
		a.Name, a.File, app.Name)
}

// Apply records an operation that converges the store to app: a new
// revision for every added or changed service, and one change per
// service in dependency order. It returns a nil operation when nothing
// changes, and for a spec without services (see Plan); the app record
// (the spec last applied, which pipelines read) is then left as it is.
// It changes no service yet: the Controller starts the changes.
func Apply(tx store.Tx, app *spec.App, src Source, now time.Time) (spec.ChangeSet, *store.Operation, error) {
	plan, err := Plan(tx, app)
	if err != nil {
		return plan, nil, err
	}
	if plan.Empty() {
		return plan, nil, putTLS(tx, app, src, now)
	}
	if err := refuseIfBusy(tx); err != nil {
		return plan, nil, err
	}
	changes, err := createRevisions(tx, app, plan, now)
	if err != nil {
		return plan, nil, err
	}
	if err := endScale(tx, plan, now); err != nil {
		return plan, nil, err
	}
	if err := putApp(tx, store.App{Name: app.Name, Spec: src.Text, File: src.File, Dir: src.Dir, AppliedAt: now}); err != nil {
		return plan, nil, err
	}
	op, err := tx.CreateOperation(store.Operation{Kind: store.KindApply, State: store.OperationRunning, Changes: changes, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		return plan, nil, err
	}
	err = started(tx, &op, store.Event{Time: now, Type: store.EventOperationStarted, Operation: op.ID,
		Message: fmt.Sprintf("apply of %s (operation %d): %s", src.File, op.ID, summary(plan))})
	return plan, &op, err
}

// putApp replaces the app record (whichever version is stored: the
// applied spec as a whole replaces the last one).
func putApp(tx store.Tx, a store.App) error {
	prev, err := tx.GetApp()
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	a.StoreVersion = prev.StoreVersion
	return tx.PutApp(a)
}

// refuseIfBusy returns a conflict while another operation runs: two
// operations never steer the same services at once.
func refuseIfBusy(tx store.Tx) error {
	active, err := tx.ListOperations(true, 1)
	if err != nil || len(active) == 0 {
		return err
	}
	op := active[0]
	return store.Conflictf("operation %d (%s of %s) is still %s; wait for it to finish",
		op.ID, op.Kind, strings.Join(changedNames(op), ", "), strings.ToLower(string(op.State)))
}

func changedNames(op store.Operation) []string {
	var names []string
	for _, c := range op.Changes {
		names = append(names, c.Service)
	}
	return names
}

// createRevisions stores a revision per added or changed service and
// returns the changes in dependency order, removals last.
func createRevisions(tx store.Tx, app *spec.App, plan spec.ChangeSet, now time.Time) ([]store.Change, error) {
	touched := plan.Names()
	var changes []store.Change
	for _, name := range spec.TopoOrder(app.Services) {
		if !slices.Contains(touched, name) {
			continue
		}
		s := app.Services[name]
		from := 0
		if svc, err := tx.GetService(name); err == nil && !svc.Removed {
			from = svc.Revision
		}
		rev, err := tx.CreateRevision(store.Revision{Service: name, Spec: *s.Clone(), State: store.RevisionPending, CreatedAt: now})
		if err != nil {
			return nil, fmt.Errorf("create revision of %s: %w", name, err)
		}
		deps := slices.DeleteFunc(slices.Clone(s.DependsOn), func(d string) bool { return !slices.Contains(touched, d) })
		changes = append(changes, store.Change{Service: name, From: from, To: rev.Number, DependsOn: deps})
	}
	// A removal waits for every other change: a service that depended on
	// the removed one keeps calling it until its new revision runs.
	var others []string
	for _, ch := range changes {
		others = append(others, ch.Service)
	}
	for _, name := range plan.Removed {
		svc, err := tx.GetService(name)
		if err != nil {
			return nil, err
		}
		changes = append(changes, store.Change{Service: name, From: svc.Revision, To: 0, DependsOn: others})
	}
	return changes, nil
}

func summary(c spec.ChangeSet) string {
	return fmt.Sprintf("%d to add, %d to change, %d to remove", len(c.Added), len(c.Changed), len(c.Removed))
}

// started appends an operation's first event and records where its
// events begin.
func started(tx store.Tx, op *store.Operation, e store.Event) error {
	e, err := tx.AppendEvent(e)
	if err != nil {
		return err
	}
	op.EventsAfter = e.Seq - 1
	return tx.PutOperation(*op)
}
