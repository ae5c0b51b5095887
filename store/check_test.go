package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

// checked runs store.Check over a memory store that setup filled.
func checked(t *testing.T, setup func(tx store.Tx) error) []string {
	t.Helper()
	s := store.NewMemory()
	if err := s.Update(context.Background(), setup); err != nil {
		t.Fatal(err)
	}
	var problems []string
	err := s.View(context.Background(), func(tx store.Tx) (err error) {
		problems, err = store.Check(tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

// readyService stores service web Ready at revision 1 and, when event,
// the rollout's success.
func readyService(tx store.Tx, event bool) error {
	if _, err := tx.CreateRevision(store.Revision{Service: "web", State: store.RevisionStable}); err != nil {
		return err
	}
	if err := tx.PutService(store.Service{Name: "web", Revision: 1, Stable: 1, Phase: store.PhaseReady}); err != nil {
		return err
	}
	if !event {
		return nil
	}
	_, err := tx.AppendEvent(store.Event{Time: time.Now(), Type: store.EventRolloutSucceeded, Service: "web", Revision: 1})
	return err
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(tx store.Tx) error
		want  []string // substrings, one per problem
	}{
		{"sound", func(tx store.Tx) error { return readyService(tx, true) }, nil},
		{"ready without its event", func(tx store.Tx) error { return readyService(tx, false) },
			[]string{"service web: Ready at revision 1 without a service.rollout.succeeded event"}},
		{"missing revision", func(tx store.Tx) error {
			return tx.PutService(store.Service{Name: "web", Revision: 2, Phase: store.PhaseProgressing})
		}, []string{"service web: revision 2 does not exist"}},
		{"instance of a missing revision", func(tx store.Tx) error {
			if err := readyService(tx, true); err != nil {
				return err
			}
			return tx.PutInstance(store.Instance{ID: "web-3-a", Service: "web", Revision: 3})
		}, []string{"instance web-3-a: revision 3 does not exist"}},
		{"terminal operation without its event", func(tx store.Tx) error {
			_, err := tx.CreateOperation(store.Operation{State: store.OperationSucceeded})
			return err
		}, []string{"operation 1: Succeeded without a operation.succeeded event"}},
		{"running operation", func(tx store.Tx) error {
			_, err := tx.CreateOperation(store.Operation{State: store.OperationRunning})
			return err
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checked(t, tc.setup)
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q; want %d like %q", got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !slices.ContainsFunc(got[i:i+1], func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("problem %d: %q; want it to say %q", i, got[i], w)
				}
			}
		})
	}
}
