package rollout

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/secret"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestInstanceSpecRevealsPinnedSecrets: an instance gets the secret
// versions its revision pinned (not the latest), expanded into its env
// and so into run's ${VAR}; a secret that cannot be revealed is a
// secretError naming it, which fails the rollout at once.
func TestInstanceSpecRevealsPinnedSecrets(t *testing.T) {
	box, err := secret.LoadOrCreateKey(filepath.Join(t.TempDir(), "secrets.key"))
	if err != nil {
		t.Fatal(err)
	}
	db := store.NewMemory()
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	err = db.Update(t.Context(), func(tx store.Tx) error {
		for _, v := range []string{"old-pass", "new-pass"} {
			if _, _, err := secret.Put(tx, box, "db", []byte(v), secret.ViaSet, "", now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := New(Config{Secrets: secret.Vault{Store: db, Box: box}})
	defer c.Close()
	in := store.Instance{ID: "web-1-abc", Service: "web", Revision: 1, Port: 7001}
	svc := spec.Service{Run: []string{"./web", "${URL}"}, Env: map[string]string{"URL": "pg://app:${secret.db}@db", "PLAIN": "${HOME}"},
		SecretVersions: map[string]int{"db": 1}}
	is, err := c.instanceSpec(t.Context(), in, store.Revision{Service: "web", Number: 1, Spec: svc})
	if err != nil {
		t.Fatal(err)
	}
	if is.Env["URL"] != "pg://app:old-pass@db" || is.Env["PLAIN"] != "${HOME}" || !slices.Equal(is.Command, []string{"./web", "pg://app:old-pass@db"}) {
		t.Fatalf("env = %v, command = %v", is.Env, is.Command)
	}
	if !slices.Equal(is.SecretEnv, []string{"URL"}) {
		t.Fatalf("SecretEnv = %v, want [URL]: the driver would write the value to disk", is.SecretEnv)
	}
	if svc.Env["URL"] != "pg://app:${secret.db}@db" {
		t.Fatal("the revision's spec was changed")
	}
	svc.SecretVersions = map[string]int{"db": 9}
	_, err = c.instanceSpec(t.Context(), in, store.Revision{Service: "web", Number: 1, Spec: svc})
	if !errors.As(err, new(secretError)) || !errors.Is(err, store.ErrNotFound) || err.Error() != "env URL: secret db version 9 not found" {
		t.Fatalf("a version not stored: %v", err)
	}
}
