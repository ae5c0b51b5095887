package sqlite

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestOldReleaseConfigs: a database of the release before configs opens
// (the migration adds their tables), has none, and takes one.
func TestOldReleaseConfigs(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		cs, err := tx.ListConfigs()
		if err != nil || len(cs) != 0 {
			t.Errorf("configs of the old release: %v %v", cs, err)
		}
		ds, err := tx.ListConfigDeliveries()
		if err != nil || len(ds) != 0 {
			t.Errorf("deliveries of the old release: %v %v", ds, err)
		}
		return nil
	})
	err := s.Update(context.Background(), func(tx store.Tx) error {
		v := fullConfigVersion()
		v.Version = 0 // made from none
		v, err := tx.CreateConfigVersion(v)
		if err == nil && v.Version != 1 {
			t.Errorf("first version: %d", v.Version)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
