package storetest

import (
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

func sampleSecret(name, sealed string) store.Secret {
	return store.Secret{Name: name, Version: 7, Sealed: []byte(sealed), SetAt: epoch, SetBy: "token:ci", Via: "set"}
}

// testSecrets adds versions of secrets, reads each version and the
// latest, lists the latest of each, and refuses records no store may
// hold.
func testSecrets(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, sec := range []store.Secret{sampleSecret("db", "a"), sampleSecret("api", "x"), sampleSecret("db", "b")} {
			if _, err := tx.AddSecret(sec); err != nil {
				return err
			}
		}
		return nil
	})
	var added store.Secret
	update(t, s, func(tx store.Tx) error {
		var err error
		added, err = tx.AddSecret(sampleSecret("db", "c"))
		return err
	})
	if added.Version != 3 {
		t.Errorf("third version of db: Version = %d, want 3", added.Version)
	}
	view(t, s, func(tx store.Tx) error {
		for v, want := range map[int]string{0: "c", 1: "a", 2: "b", 3: "c"} {
			got, err := tx.GetSecret("db", v)
			if err != nil {
				return err
			}
			if string(got.Sealed) != want || got.SetBy != "token:ci" || !got.SetAt.Equal(epoch) || got.Via != "set" {
				t.Errorf("GetSecret(db, %d) = %+v, want sealed %q", v, got, want)
			}
		}
		all, err := tx.ListSecrets()
		if err != nil {
			return err
		}
		if len(all) != 2 || all[0].Name != "api" || all[0].Version != 1 || all[1].Name != "db" || all[1].Version != 3 {
			t.Errorf("ListSecrets = %+v, want api v1, db v3", all)
		}
		notFound(t, "GetSecret of none", func() error { _, err := tx.GetSecret("nope", 0); return err })
		notFound(t, "GetSecret of a version not stored", func() error { _, err := tx.GetSecret("db", 4); return err })
		return nil
	})
	for _, bad := range []store.Secret{{Sealed: []byte("x")}, {Name: "db"}} {
		err := s.Update(t.Context(), func(tx store.Tx) error { _, err := tx.AddSecret(bad); return err })
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AddSecret(%+v): got %v, want ErrInvalid", bad, err)
		}
	}
	if err := s.View(t.Context(), func(tx store.Tx) error { _, err := tx.AddSecret(sampleSecret("x", "y")); return err }); err == nil {
		t.Error("AddSecret in View: no error")
	}
}
