package sqlite

import (
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestOldReleaseSecrets: a database of the release before secrets opens
// with no secret, its revisions name none, and a secret can be added.
func TestOldReleaseSecrets(t *testing.T) {
	s := openOld(t, "envs/staging/slipway.db")
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListSecrets()
		if err != nil || len(all) != 0 {
			t.Errorf("ListSecrets = %v, %v; want none", all, err)
		}
		rev, err := tx.GetRevision("order", 2)
		if err != nil || rev.Spec.SecretVersions != nil {
			t.Errorf("old revision's secret versions = %v, %v; want none", rev.Spec.SecretVersions, err)
		}
		return nil
	})
	err := s.Update(t.Context(), func(tx store.Tx) error {
		got, err := tx.AddSecret(store.Secret{Name: "db", Sealed: []byte("x")})
		if err == nil && got.Version != 1 {
			t.Errorf("first version = %d", got.Version)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
