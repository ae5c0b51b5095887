package server

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestRoutesReachEachRevisionInItsProtocol: while a service moves from
// HTTP/1.1 to h2c, the router reaches the old revision's instances over
// HTTP/1.1 and the new one's over h2c, as each revision's spec says.
func TestRoutesReachEachRevisionInItsProtocol(t *testing.T) {
	ctx := context.Background()
	s := store.NewMemory()
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, protocol := range []string{"", spec.ProtocolH2C} {
			if _, err := tx.CreateRevision(store.Revision{Service: "web",
				Spec: spec.Service{Route: spec.Route{Path: "/", Protocol: protocol}}}); err != nil {
				return err
			}
		}
		if err := tx.PutService(store.Service{Name: "web", Revision: 2}); err != nil {
			return err
		}
		for i, rev := range []int{1, 2} {
			in := store.Instance{ID: []string{"web-1", "web-2"}[i], Service: "web", Revision: rev, Port: 9001 + i,
				State: store.InstanceRunning, Ready: true}
			if err := tx.PutInstance(in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	routes, _, err := buildRoutes(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) != 1 || len(routes[0].Backends) != 2 {
		t.Fatalf("routes %+v", routes)
	}
	for _, b := range routes[0].Backends {
		if want := b.Revision == 2; b.H2C != want {
			t.Errorf("instance %s of revision %d: H2C %v, want %v", b.ID, b.Revision, b.H2C, want)
		}
	}
}
