package sqlite

import (
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestOldReleaseHasNoJobsMountsOrHostRestart reads the November 2026
// data folder, written before jobs, volumes and host-restart marks: its
// services have no job runs, its revisions no jobs or mounts, its
// instances no host-restart mark, and a service written back keeps none.
func TestOldReleaseHasNoJobsMountsOrHostRestart(t *testing.T) {
	s := openOld(t, "slipway.db")
	var svcs []store.Service
	view(t, s, func(tx store.Tx) error {
		var err error
		if svcs, err = tx.ListServices(); err != nil || len(svcs) == 0 {
			t.Fatalf("services: %d, %v", len(svcs), err)
		}
		for _, svc := range svcs {
			if len(svc.Jobs) != 0 {
				t.Errorf("service %s has job runs: %+v", svc.Name, svc.Jobs)
			}
			rev, err := tx.GetRevision(svc.Name, svc.Revision)
			if err != nil {
				return err
			}
			if len(rev.Spec.Jobs) != 0 || len(rev.Spec.Mounts) != 0 {
				t.Errorf("revision %d of %s: jobs %v mounts %v", rev.Number, svc.Name, rev.Spec.Jobs, rev.Spec.Mounts)
			}
		}
		ins, err := tx.ListInstances("")
		for _, in := range ins {
			if !in.HostRestart.IsZero() {
				t.Errorf("instance %s marked after a host restart", in.ID)
			}
		}
		return err
	})
}
