package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

func testNotFound(t *testing.T, s store.Store) {
	checks := map[string]func(tx store.Tx) error{
		"GetApp":     func(tx store.Tx) error { _, err := tx.GetApp(); return err },
		"GetService": func(tx store.Tx) error { _, err := tx.GetService("nope"); return err },
		"GetRevision": func(tx store.Tx) error {
			_, err := tx.GetRevision("nope", 1)
			return err
		},
		"GetInstance":      func(tx store.Tx) error { _, err := tx.GetInstance("nope"); return err },
		"GetOperation":     func(tx store.Tx) error { _, err := tx.GetOperation(1); return err },
		"PutOperation":     func(tx store.Tx) error { return tx.PutOperation(store.Operation{ID: 99}) },
		"SetRevisionState": func(tx store.Tx) error { return tx.SetRevisionState("nope", 1, store.RevisionStable, "") },
		"DeleteService":    func(tx store.Tx) error { return tx.DeleteService("nope") },
		"DeleteInstance":   func(tx store.Tx) error { return tx.DeleteInstance("nope") },
	}
	for name, check := range checks {
		err := s.Update(t.Context(), check)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", name, err)
		}
	}
	// Revision 0 and revisions past the newest do not exist either.
	update(t, s, func(tx store.Tx) error { _, err := tx.CreateRevision(sampleRevision("a")); return err })
	view(t, s, func(tx store.Tx) error {
		for _, n := range []int{0, 2, -1} {
			if _, err := tx.GetRevision("a", n); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetRevision(a, %d): got %v, want ErrNotFound", n, err)
			}
		}
		return nil
	})
}

func testApp(t *testing.T, s store.Store) {
	want := store.App{Name: "shop", Spec: "app: shop\n", File: "slipway.yaml", AppliedAt: epoch}
	update(t, s, func(tx store.Tx) error { return tx.PutApp(want) })
	want.Spec, want.StoreVersion = "app: shop\nservices: {}\n", 1
	update(t, s, func(tx store.Tx) error { return tx.PutApp(want) })
	want.StoreVersion = 2
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetApp()
		must(t, err)
		equal(t, "app", got, want)
		return nil
	})
}

func testServices(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, n := range []string{"order", "invoice", "zeta", "alpha"} {
			must(t, tx.PutService(sampleService(n)))
		}
		replaced := sampleService("order")
		replaced.Phase, replaced.StoreVersion = store.PhaseReady, 1
		return tx.PutService(replaced)
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteService("zeta") })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListServices()
		must(t, err)
		equal(t, "names", names(got), []string{"alpha", "invoice", "order"})
		one, err := tx.GetService("order")
		must(t, err)
		want := sampleService("order")
		want.Phase, want.StoreVersion = store.PhaseReady, 2
		equal(t, "order", one, want)
		if _, err := tx.GetService("zeta"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted service: got %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testDeleteServiceKeepsRevisions(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		must(t, tx.PutService(sampleService("a")))
		_, err := tx.CreateRevision(sampleRevision("a"))
		must(t, err)
		return tx.DeleteService("a")
	})
	update(t, s, func(tx store.Tx) error {
		revs, err := tx.ListRevisions("a")
		must(t, err)
		if len(revs) != 1 {
			t.Fatalf("revisions after delete: got %d, want 1", len(revs))
		}
		// Numbering carries on if the service comes back.
		r, err := tx.CreateRevision(sampleRevision("a"))
		must(t, err)
		if r.Number != 2 {
			t.Errorf("revision after re-create: got %d, want 2", r.Number)
		}
		return nil
	})
}

func testRevisionNumbering(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, svc := range []string{"a", "a", "b", "a", "b"} {
			r := sampleRevision(svc)
			r.Number = 100 + i // ignored: the store numbers revisions
			got, err := tx.CreateRevision(r)
			must(t, err)
			r.Number = got.Number
			equal(t, "returned revision", got, r)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		r, err := tx.CreateRevision(sampleRevision("b"))
		must(t, err)
		if r.Number != 3 {
			t.Errorf("b's next revision: got %d, want 3", r.Number)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for svc, want := range map[string][]int{"a": {1, 2, 3}, "b": {1, 2, 3}, "c": nil} {
			revs, err := tx.ListRevisions(svc)
			must(t, err)
			got := []int(nil)
			for _, r := range revs {
				got = append(got, r.Number)
			}
			equal(t, "numbers of "+svc, got, want)
		}
		r, err := tx.GetRevision("a", 2)
		must(t, err)
		want := sampleRevision("a")
		want.Number = 2
		equal(t, "a/2", r, want)
		return nil
	})
}

func testRevisionImmutable(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { _, err := tx.CreateRevision(sampleRevision("a")); return err })
	update(t, s, func(tx store.Tx) error {
		return tx.SetRevisionState("a", 1, store.RevisionRolledBack, "analysis failed")
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetRevision("a", 1)
		must(t, err)
		want := sampleRevision("a")
		want.Number, want.State, want.Reason = 1, store.RevisionRolledBack, "analysis failed"
		equal(t, "revision", got, want)
		return nil
	})
}

func testInstances(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, in := range [][2]string{{"b-2", "b"}, {"a-9", "a"}, {"a-1", "a"}, {"c-1", "c"}, {"b-1", "b"}} {
			must(t, tx.PutInstance(sampleInstance(in[0], in[1])))
		}
		replaced := sampleInstance("a-1", "a")
		replaced.State, replaced.StoreVersion = store.InstanceBackoff, 1
		must(t, tx.PutInstance(replaced))
		return tx.DeleteInstance("c-1")
	})
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListInstances("")
		must(t, err)
		equal(t, "all ids", ids(all), []string{"a-1", "a-9", "b-1", "b-2"})
		bs, err := tx.ListInstances("b")
		must(t, err)
		equal(t, "b ids", ids(bs), []string{"b-1", "b-2"})
		none, err := tx.ListInstances("c")
		must(t, err)
		equal(t, "c ids", ids(none), []string(nil))
		got, err := tx.GetInstance("a-1")
		must(t, err)
		want := sampleInstance("a-1", "a")
		want.State, want.StoreVersion = store.InstanceBackoff, 2
		equal(t, "a-1", got, want)
		return nil
	})
}

// equal fails the test when got and want differ.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func names(ss []store.Service) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func ids(is []store.Instance) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.ID)
	}
	return out
}
