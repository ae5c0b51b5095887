package sqlite

import (
	"context"
	"errors"
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

// TestOldReleaseTakesTiedConfigs: a database of the release before a
// config version could go with a revision takes a tied version and
// delivery and reads them back whole, and a version stored without the
// tie (as every earlier one was) reads as untied.
func TestOldReleaseTakesTiedConfigs(t *testing.T) {
	s := openOld(t, "slipway.db")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		v := fullConfigVersion()
		v.Version, v.Revision = 0, 0
		if _, err := tx.CreateConfigVersion(v); err != nil {
			return err
		}
		v.Version, v.Revision = 1, 2
		if _, err := tx.CreateConfigVersion(v); err != nil {
			return err
		}
		d := fullConfigDelivery()
		d.Version, d.Previous, d.Revision, d.Phase = 2, 1, 2, store.DeliveryProgressing
		return tx.PutConfigDelivery(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	view(t, s, func(tx store.Tx) error {
		v1, err1 := tx.GetConfigVersion("invoice-settings", 1)
		v2, err2 := tx.GetConfigVersion("invoice-settings", 2)
		d, err3 := tx.GetConfigDelivery("invoice-settings")
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatal(err)
		}
		if v1.Revision != 0 || v2.Revision != 2 || d.Revision != 2 || d.Desired("x", 2) != 2 || d.Desired("y", 1) != 1 {
			t.Errorf("tied versions: %d %d, delivery %+v", v1.Revision, v2.Revision, d)
		}
		return nil
	})
}
