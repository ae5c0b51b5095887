package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/store"
)

func sampleEnvironment(name string) store.Environment {
	return store.Environment{Name: name, Router: "127.0.0.1:7481", CreatedAt: epoch}
}

// testEnvironments creates, reads, lists, replaces and deletes registry
// records, each write checked against the version it read.
func testEnvironments(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, name := range []string{"staging", "dev", "default"} {
			must(t, tx.PutEnvironment(sampleEnvironment(name)))
		}
		return nil
	})
	want := sampleEnvironment("staging")
	want.Version = 1
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEnvironment("staging")
		must(t, err)
		equal(t, "created", got, want)
		all, err := tx.ListEnvironments()
		must(t, err)
		var names []string
		for _, e := range all {
			names = append(names, e.Name)
			equal(t, e.Name+"'s version", e.Version, int64(1))
		}
		equal(t, "listed by name", names, []string{"default", "dev", "staging"})
		notFound(t, "GetEnvironment", func() error { _, err := tx.GetEnvironment("prod"); return err })
		return nil
	})
	want.Down = &store.Teardown{By: "ana", RequestedAt: epoch.Add(time.Hour)}
	update(t, s, func(tx store.Tx) error { return tx.PutEnvironment(want) })
	want.Version = 2
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEnvironment("staging")
		must(t, err)
		equal(t, "going down", got, want)
		equal(t, "GoingDown", got.GoingDown(), true)
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteEnvironment("dev") })
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListEnvironments()
		must(t, err)
		equal(t, "after a delete", len(all), 2)
		notFound(t, "GetEnvironment of a deleted one", func() error { _, err := tx.GetEnvironment("dev"); return err })
		return nil
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteEnvironment("dev") })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteEnvironment of none: got %v, want ErrNotFound", err)
	}
	for name, write := range map[string]func(tx store.Tx) error{
		"PutEnvironment":    func(tx store.Tx) error { return tx.PutEnvironment(sampleEnvironment("prod")) },
		"DeleteEnvironment": func(tx store.Tx) error { return tx.DeleteEnvironment("staging") },
	} {
		if err := s.View(t.Context(), write); err == nil {
			t.Errorf("%s in View: no error", name)
		}
	}
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.PutEnvironment(store.Environment{Router: "x"}) })
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("PutEnvironment without a name: got %v, want ErrInvalid", err)
	}
	for _, bad := range []string{"../../etc", "a/b", "Prod", ".."} {
		err = s.Update(t.Context(), func(tx store.Tx) error { return tx.PutEnvironment(sampleEnvironment(bad)) })
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutEnvironment named %q: got %v, want ErrInvalid (a name becomes a folder)", bad, err)
		}
	}
}

// testEnvironmentVersions checks that every stale write is a conflict
// and changes nothing: creating one that exists, writing a version that
// is not the stored one (older or newer); writing a version over none is
// not found (the rule of every record: store/version.go).
func testEnvironmentVersions(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { return tx.PutEnvironment(sampleEnvironment("dev")) })
	var read store.Environment
	view(t, s, func(tx store.Tx) error {
		var err error
		read, err = tx.GetEnvironment("dev")
		return err
	})
	read.Router = "127.0.0.1:9999"
	update(t, s, func(tx store.Tx) error { return tx.PutEnvironment(read) }) // version 1 -> 2
	stale := []struct {
		name string
		e    store.Environment
	}{
		{"created again", sampleEnvironment("dev")},
		{"an older version", read},
		{"a newer version", func() store.Environment { e := read; e.Version = 7; return e }()},
	}
	for _, c := range stale {
		c.e.Down = &store.Teardown{By: "stale"}
		err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutEnvironment(c.e) })
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s: got %v, want ErrConflict", c.name, err)
		}
	}
	none := sampleEnvironment("prod")
	none.Version = 1
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutEnvironment(none) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a version over none: got %v, want ErrNotFound", err)
	}
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetEnvironment("dev")
		must(t, err)
		equal(t, "version after the conflicts", got.Version, int64(2))
		equal(t, "router after the conflicts", got.Router, "127.0.0.1:9999")
		equal(t, "down after the conflicts", got.Down, (*store.Teardown)(nil))
		notFound(t, "GetEnvironment of one never created", func() error { _, err := tx.GetEnvironment("prod"); return err })
		return nil
	})
	// Two writes of the same version in one transaction: the second is
	// stale too.
	err := s.Update(t.Context(), func(tx store.Tx) error {
		got, err := tx.GetEnvironment("dev")
		must(t, err)
		must(t, tx.PutEnvironment(got))
		return tx.PutEnvironment(got)
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("the same version twice in one transaction: got %v, want ErrConflict", err)
	}
}
