package stack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const base = `app: shop
services:
  db:
    run: [./db]
  order:
    run: [./order]
    dependsOn: [db]
  invoice:
    run: [./invoice]
    dependsOn: [order]
`

func parse(t *testing.T, text string) *spec.App {
	t.Helper()
	app, err := spec.Parse("slipway.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func applyText(t *testing.T, s store.Store, text string) (spec.ChangeSet, *store.Operation, error) {
	t.Helper()
	var cs spec.ChangeSet
	var op *store.Operation
	err := s.Update(context.Background(), func(tx store.Tx) error {
		var err error
		cs, op, err = Apply(tx, parse(t, text), Source{File: "slipway.yaml", Text: text}, now)
		return err
	})
	return cs, op, err
}

// converge marks every change of op done and its service Ready at To.
func converge(t *testing.T, s store.Store, op *store.Operation) {
	t.Helper()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for _, ch := range op.Changes {
			if ch.To == 0 {
				if err := tx.DeleteService(ch.Service); err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				continue
			}
			if err := tx.PutService(store.Service{Name: ch.Service, Revision: ch.To, Stable: ch.To, Phase: store.PhaseReady}); err != nil {
				return err
			}
			if err := tx.SetRevisionState(ch.Service, ch.To, store.RevisionStable, ""); err != nil {
				return err
			}
		}
		o, err := tx.GetOperation(op.ID)
		if err != nil {
			return err
		}
		o.State = store.OperationSucceeded
		return tx.PutOperation(o)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestApplyOrdersChangesByDependency(t *testing.T) {
	s := store.NewMemory()
	cs, op, err := applyText(t, s, base)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cs.Added, []string{"db", "invoice", "order"}) {
		t.Fatalf("added %v", cs.Added)
	}
	var order []string
	for _, ch := range op.Changes {
		order = append(order, ch.Service)
	}
	if !slices.Equal(order, []string{"db", "order", "invoice"}) {
		t.Fatalf("changes in order %v, want db, order, invoice", order)
	}
	if !slices.Equal(op.Changes[2].DependsOn, []string{"order"}) || op.Changes[0].From != 0 || op.Changes[0].To != 1 {
		t.Fatalf("changes %+v", op.Changes)
	}
}

func TestApplyOnlyTouchesWhatChanged(t *testing.T) {
	s := store.NewMemory()
	_, op, _ := applyText(t, s, base)
	converge(t, s, op)
	changed := strings.Replace(base, "[./invoice]", "[./invoice, --fast]", 1)
	changed = strings.Replace(changed, "  db:\n    run: [./db]\n", "", 1)
	changed = strings.Replace(changed, "    dependsOn: [db]\n", "", 1)
	cs, op, err := applyText(t, s, changed)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Changed) != 2 || !slices.Equal(cs.Removed, []string{"db"}) || len(cs.Added) != 0 {
		t.Fatalf("plan %+v", cs)
	}
	want := []store.Change{
		{Service: "order", From: 1, To: 2},
		{Service: "invoice", From: 1, To: 2, DependsOn: []string{"order"}},
		{Service: "db", From: 1, To: 0, DependsOn: []string{"order", "invoice"}},
	}
	for i, ch := range op.Changes {
		if ch.Service != want[i].Service || ch.From != want[i].From || ch.To != want[i].To || !slices.Equal(ch.DependsOn, want[i].DependsOn) {
			t.Fatalf("change %d = %+v, want %+v", i, ch, want[i])
		}
	}
}

func TestApplyNoChangeMakesNoOperation(t *testing.T) {
	s := store.NewMemory()
	_, op, _ := applyText(t, s, base)
	converge(t, s, op)
	cs, op, err := applyText(t, s, base)
	if err != nil || op != nil || !cs.Empty() {
		t.Fatalf("second apply: op %v err %v plan %+v; want nothing", op, err, cs)
	}
}

func TestRollbackTarget(t *testing.T) {
	tests := []struct {
		name    string
		svc     store.Service
		to      int
		want    int
		wantErr error
	}{
		{"in-flight rollout goes back to stable", store.Service{Name: "order", Revision: 3, Stable: 2}, 0, 2, nil},
		{"steady state goes to the last superseded", store.Service{Name: "order", Revision: 3, Stable: 3}, 0, 2, nil},
		{"explicit revision", store.Service{Name: "order", Revision: 3, Stable: 3}, 1, 1, nil},
		{"already there", store.Service{Name: "order", Revision: 3, Stable: 3}, 3, 0, store.ErrConflict},
		{"never existed", store.Service{Name: "order", Revision: 3, Stable: 3}, 9, 0, store.ErrNotFound},
		{"nothing earlier", store.Service{Name: "order", Revision: 1, Stable: 1}, 0, 0, store.ErrConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := store.NewMemory()
			err := s.Update(context.Background(), func(tx store.Tx) error {
				states := []store.RevisionState{store.RevisionSuperseded, store.RevisionSuperseded, store.RevisionStable}
				for i := range tc.svc.Revision {
					if _, err := tx.CreateRevision(store.Revision{Service: "order", State: states[3-tc.svc.Revision+i]}); err != nil {
						return err
					}
				}
				if err := tx.PutService(tc.svc); err != nil {
					return err
				}
				op, err := Rollback(tx, "order", tc.to, "", now)
				if err != nil {
					return err
				}
				if got := op.Changes[0].To; got != tc.want {
					t.Fatalf("rollback to %d, want %d", got, tc.want)
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestRollbackOfUnknownService(t *testing.T) {
	err := store.NewMemory().Update(context.Background(), func(tx store.Tx) error {
		_, err := Rollback(tx, "nosuch", 0, "", now)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), `"nosuch" does not exist`) {
		t.Fatalf("err %v", err)
	}
}

func TestAnotherAppConflicts(t *testing.T) {
	s := store.NewMemory()
	if _, _, err := applyText(t, s, base); err != nil {
		t.Fatal(err)
	}
	_, _, err := applyText(t, s, strings.Replace(base, "app: shop", "app: other", 1))
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), `runs app "shop"`) {
		t.Fatalf("err %v", err)
	}
}

func TestOperationSaysWhereItsEventsBegin(t *testing.T) {
	s := store.NewMemory()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for range 5 {
			if _, err := tx.AppendEvent(store.Event{Type: "noise"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, op, err := applyText(t, s, base)
	if err != nil {
		t.Fatal(err)
	}
	if op.EventsAfter != 5 {
		t.Fatalf("EventsAfter %d, want 5", op.EventsAfter)
	}
	var stored store.Operation
	_ = s.View(context.Background(), func(tx store.Tx) error { stored, err = tx.GetOperation(op.ID); return err })
	if stored.EventsAfter != 5 {
		t.Fatalf("stored EventsAfter %d", stored.EventsAfter)
	}
}
