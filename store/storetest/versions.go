package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// versionedKind is one kind of mutable record, driven through the
// version rule (store/version.go) by the same steps.
type versionedKind struct {
	name string
	// create stores a new record and returns its key.
	create func(tx store.Tx) (any, error)
	// get reads the record; its version and a field to change through
	// edit.
	get func(tx store.Tx, key any) (rec any, version int64, err error)
	// put writes rec with version v after changing a field to mark.
	put func(tx store.Tx, rec any, v int64, mark string) error
	// mark reads the field put changes.
	mark func(rec any) string
}

func versionedKinds() []versionedKind {
	getApp := func(tx store.Tx, _ struct{}) (store.App, error) { return tx.GetApp() }
	return []versionedKind{
		kindOf("app", func(tx store.Tx) (struct{}, error) { return struct{}{}, tx.PutApp(store.App{Name: "shop"}) },
			getApp, store.Tx.PutApp,
			func(a *store.App) (*int64, *string) { return &a.StoreVersion, &a.File }),
		kindOf("service", func(tx store.Tx) (string, error) { return "order", tx.PutService(sampleService("order")) },
			store.Tx.GetService, store.Tx.PutService,
			func(s *store.Service) (*int64, *string) { return &s.StoreVersion, &s.Message }),
		kindOf("instance", func(tx store.Tx) (string, error) {
			return "order-1", tx.PutInstance(sampleInstance("order-1", "order"))
		}, store.Tx.GetInstance, store.Tx.PutInstance,
			func(in *store.Instance) (*int64, *string) { return &in.StoreVersion, &in.Message }),
		kindOf("operation", func(tx store.Tx) (int64, error) {
			op, err := tx.CreateOperation(sampleOperation(store.OperationRunning))
			return op.ID, err
		}, store.Tx.GetOperation, store.Tx.PutOperation,
			func(op *store.Operation) (*int64, *string) { return &op.StoreVersion, &op.Message }),
		kindOf("promotion", func(tx store.Tx) (int64, error) {
			p, err := tx.CreatePromotion(samplePromotion("order", store.PromotionWaiting))
			return p.ID, err
		}, store.Tx.GetPromotion, store.Tx.PutPromotion,
			func(p *store.Promotion) (*int64, *string) { return &p.StoreVersion, &p.Reason }),
		kindOf("environment", func(tx store.Tx) (string, error) { return "staging", tx.PutEnvironment(sampleEnvironment("staging")) },
			store.Tx.GetEnvironment, store.Tx.PutEnvironment,
			func(e *store.Environment) (*int64, *string) { return &e.Version, &e.Router }),
		kindOf("token", func(tx store.Tx) (string, error) { return "ci", tx.PutToken(sampleToken("ci")) },
			store.Tx.GetToken, store.Tx.PutToken,
			func(tk *store.Token) (*int64, *string) { return &tk.Version, &tk.CreatedBy }),
	}
}

// kindOf makes the versionedKind of records R keyed by K: create stores
// one and returns its key, get and put are the Tx's methods, and fields
// points into a record at its store version and at a string field the
// test changes.
func kindOf[K, R any](name string, create func(store.Tx) (K, error),
	get func(store.Tx, K) (R, error), put func(store.Tx, R) error,
	fields func(*R) (version *int64, mark *string)) versionedKind {
	return versionedKind{
		name:   name,
		create: func(tx store.Tx) (any, error) { return create(tx) },
		get: func(tx store.Tx, key any) (any, int64, error) {
			r, err := get(tx, key.(K))
			v, _ := fields(&r)
			return r, *v, err
		},
		put: func(tx store.Tx, rec any, v int64, mark string) error {
			r := rec.(R)
			pv, pm := fields(&r)
			*pv, *pm = v, mark
			return put(tx, r)
		},
		mark: func(rec any) string {
			r := rec.(R)
			_, m := fields(&r)
			return *m
		},
	}
}

// testStaleWrites drives every mutable record kind through the version
// rule: a new record is at version 1 and every write adds one; a write
// that read an older version is a conflict and changes nothing, in its
// own transaction or beside other writes; a write of version 0 over an
// existing record is a conflict.
func testStaleWrites(t *testing.T, s store.Store) {
	for _, k := range versionedKinds() {
		t.Run(k.name, func(t *testing.T) {
			var key any
			update(t, s, func(tx store.Tx) (err error) { key, err = k.create(tx); return err })
			rec, v := readVersioned(t, s, k, key)
			equal(t, "version after create", v, int64(1))
			update(t, s, func(tx store.Tx) error { return k.put(tx, rec, v, "first") })
			now, v2 := readVersioned(t, s, k, key)
			equal(t, "version after a write", v2, int64(2))
			equal(t, "written", k.mark(now), "first")
			// A second writer that read version 1 loses, whole.
			err := s.Update(t.Context(), func(tx store.Tx) error {
				if _, err := tx.AppendEvent(sampleEvent("order", 1)); err != nil {
					return err
				}
				return k.put(tx, rec, v, "stale")
			})
			wantConflict(t, err, fmt.Sprintf("%s write of version 1 over version 2", k.name))
			after, v3 := readVersioned(t, s, k, key)
			equal(t, "version after a stale write", v3, int64(2))
			equal(t, "after a stale write", k.mark(after), "first")
			wantConflict(t, s.Update(t.Context(), func(tx store.Tx) error { return k.put(tx, rec, 0, "blind") }),
				k.name+" write of version 0 over an existing record")
			view(t, s, func(tx store.Tx) error {
				evs, err := tx.ListEvents(0, "", 0)
				must(t, err)
				equal(t, "events of the failed transaction", len(evs), 0)
				return nil
			})
		})
	}
}

func readVersioned(t *testing.T, s store.Store, k versionedKind, key any) (rec any, v int64) {
	t.Helper()
	view(t, s, func(tx store.Tx) (err error) { rec, v, err = k.get(tx, key); return err })
	return rec, v
}

func wantConflict(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("%s: got %v, want ErrConflict", what, err)
	}
}

// testStaleFlagConfig checks that a flag configuration made from an
// older revision than the latest is a conflict and stores nothing.
func testStaleFlagConfig(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { _, err := tx.CreateFlagConfig(sampleFlagConfig("first")); return err })
	update(t, s, func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		must(t, err)
		c.Reason = "second"
		_, err = tx.CreateFlagConfig(c)
		return err
	})
	stale := sampleFlagConfig("stale")
	stale.Revision = 1
	wantConflict(t, s.Update(t.Context(), func(tx store.Tx) error { _, err := tx.CreateFlagConfig(stale); return err }),
		"flag config made from revision 1 when 2 is the latest")
	view(t, s, func(tx store.Tx) error {
		c, err := tx.GetFlagConfig()
		must(t, err)
		equal(t, "latest", c.Reason, "second")
		equal(t, "revision", c.Revision, 2)
		return nil
	})
}
