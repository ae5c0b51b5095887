package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

func sampleConfigVersion(name string, base int, timeout float64) store.ConfigVersion {
	return store.ConfigVersion{
		Name: name, Version: base,
		Spec:   &spec.Config{Service: "invoice", Rules: []string{"config.timeoutMs <= 30000"}, Values: spec.ConfigValues{"timeoutMs": 2000.0}},
		Values: spec.ConfigValues{"timeoutMs": timeout, "nested": map[string]any{"on": true}},
		Source: store.ConfigFromSet, By: "ana", CreatedAt: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC),
	}
}

// testConfigVersions: versions are numbered per config from 1, each
// made from the latest (else a conflict), read back by number or as the
// latest, listed newest first.
func testConfigVersions(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetConfigVersion("invoice-settings", 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetConfigVersion on an empty store: %v, want ErrNotFound", err)
		}
		all, err := tx.ListConfigs()
		equal(t, "ListConfigs on an empty store", len(all), 0)
		return err
	})
	for i, timeout := range []float64{2000, 3000, 4000} {
		update(t, s, func(tx store.Tx) error {
			v, err := tx.CreateConfigVersion(sampleConfigVersion("invoice-settings", i, timeout))
			equal(t, "version", v.Version, i+1)
			return err
		})
	}
	update(t, s, func(tx store.Tx) error {
		_, err := tx.CreateConfigVersion(sampleConfigVersion("order-settings", 0, 1))
		return err
	})
	err := s.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.CreateConfigVersion(sampleConfigVersion("invoice-settings", 2, 5000))
		return err
	})
	if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "is at version 3") {
		t.Errorf("a version made from version 2 of 3: %v, want a conflict", err)
	}
	view(t, s, func(tx store.Tx) error {
		latest, err := tx.GetConfigVersion("invoice-settings", 0)
		must(t, err)
		want := sampleConfigVersion("invoice-settings", 3, 4000)
		equal(t, "latest", jsonOf(t, latest), jsonOf(t, want))
		second, err := tx.GetConfigVersion("invoice-settings", 2)
		must(t, err)
		equal(t, "version 2's timeout", second.Values["timeoutMs"], any(3000.0))
		if _, err := tx.GetConfigVersion("invoice-settings", 9); !errors.Is(err, store.ErrNotFound) ||
			!strings.Contains(err.Error(), "its versions are 1 to 3") {
			t.Errorf("version 9: %v", err)
		}
		vs, err := tx.ListConfigVersions("invoice-settings", 2)
		must(t, err)
		if len(vs) != 2 || vs[0].Version != 3 || vs[1].Version != 2 {
			t.Errorf("ListConfigVersions(2): %d versions", len(vs))
		}
		cs, err := tx.ListConfigs()
		must(t, err)
		if len(cs) != 2 || cs[0].Name != "invoice-settings" || cs[0].Version != 3 || cs[1].Name != "order-settings" {
			t.Errorf("ListConfigs: %+v", cs)
		}
		return nil
	})
}

// testConfigDeliveries: a config's delivery is a version-checked record.
func testConfigDeliveries(t *testing.T, s store.Store) {
	d := store.ConfigDelivery{Name: "invoice-settings", Version: 2, Previous: 1, Phase: store.DeliveryProgressing,
		Targets: []string{"i-1"}, Applied: map[string]int{"i-1": 2}, Started: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	update(t, s, func(tx store.Tx) error { return tx.PutConfigDelivery(d) })
	err := s.Update(context.Background(), func(tx store.Tx) error { return tx.PutConfigDelivery(d) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second create: %v, want a conflict", err)
	}
	update(t, s, func(tx store.Tx) error {
		got, err := tx.GetConfigDelivery("invoice-settings")
		must(t, err)
		equal(t, "store version", got.StoreVersion, int64(1))
		got.Phase, got.Step = store.DeliverySucceeded, 1
		return tx.PutConfigDelivery(got)
	})
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListConfigDeliveries()
		must(t, err)
		if len(all) != 1 || all[0].Phase != store.DeliverySucceeded || all[0].StoreVersion != 2 || all[0].Applied["i-1"] != 2 {
			t.Errorf("ListConfigDeliveries: %+v", all)
		}
		if _, err := tx.GetConfigDelivery("nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("no delivery: %v", err)
		}
		return nil
	})
}
