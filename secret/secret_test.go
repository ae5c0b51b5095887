package secret

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

var now = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func newBox(t *testing.T) (*Box, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secrets.key")
	b, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, path
}

// TestKeyFile: the key is made 0600 and read back the same; a key file
// others may read is refused; a file that is no age identity says so.
func TestKeyFile(t *testing.T) {
	b, path := newBox(t)
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode(), err)
	}
	sealed, err := b.Seal([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("sealed value holds the plain text")
	}
	again, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := again.Open(sealed); err != nil || string(v) != "hunter2" {
		t.Fatalf("reopened key: %q, %v", v, err)
	}
	other, _ := newBox(t)
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("another key opened the value")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a key readable by others: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(bad); err == nil || !strings.Contains(err.Error(), "age identity") {
		t.Fatalf("a file that is no key: %v", err)
	}
}

// TestPutVersions: the same value keeps its version, a new one makes
// the next with an event naming the version and never the value;
// Changed predicts it without writing.
func TestPutVersions(t *testing.T) {
	box, _ := newBox(t)
	s := store.NewMemory()
	put := func(v string) (int, bool) {
		t.Helper()
		var ver int
		var stored bool
		err := s.Update(t.Context(), func(tx store.Tx) error {
			var err error
			ver, stored, err = Put(tx, box, "db", []byte(v), ViaSet, "token:ci", now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ver, stored
	}
	if v, stored := put("one"); v != 1 || !stored {
		t.Fatalf("first: %d %v", v, stored)
	}
	if v, stored := put("one"); v != 1 || stored {
		t.Fatalf("same value again: %d %v", v, stored)
	}
	err := s.View(t.Context(), func(tx store.Tx) error {
		got, err := Changed(tx, box, map[string][]byte{"db": []byte("one"), "api": []byte("k")})
		if err != nil || got["db"] != 1 || got["api"] != 1 {
			t.Errorf("Changed, same: %v %v", got, err)
		}
		got, err = Changed(tx, box, map[string][]byte{"db": []byte("two")})
		if err != nil || got["db"] != 2 {
			t.Errorf("Changed, new: %v %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, stored := put("two"); v != 2 || !stored {
		t.Fatalf("new value: %d %v", v, stored)
	}
	vault := Vault{Store: s, Box: box}
	for ver, want := range map[int]string{1: "one", 2: "two", 0: "two"} {
		if got, err := vault.Reveal(t.Context(), "db", ver); err != nil || got != want {
			t.Errorf("Reveal(db, %d) = %q, %v", ver, got, err)
		}
	}
	if _, err := vault.Reveal(t.Context(), "nope", 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Reveal of none: %v", err)
	}
	err = s.View(t.Context(), func(tx store.Tx) error {
		evs, err := tx.ListEventsOfType(0, []store.EventType{store.EventSecretSet}, 0)
		if err != nil {
			return err
		}
		if len(evs) != 2 {
			t.Fatalf("%d secret.set events, want 2", len(evs))
		}
		var d store.SecretData
		if err := json.Unmarshal(evs[1].Data, &d); err != nil || d != (store.SecretData{Name: "db", Version: 2, Via: ViaSet}) {
			t.Errorf("event data %+v, %v", d, err)
		}
		for _, e := range evs {
			raw, _ := json.Marshal(e)
			if bytes.Contains(raw, []byte("one")) || bytes.Contains(raw, []byte("two")) {
				t.Errorf("event holds a value: %s", raw)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPutRefusesBadInput: a bad name or a value too large is refused,
// and the message holds no part of the value.
func TestPutRefusesBadInput(t *testing.T) {
	box, _ := newBox(t)
	s := store.NewMemory()
	big := bytes.Repeat([]byte("v"), MaxSize+1)
	for name, value := range map[string][]byte{"a b": []byte("hidden"), "db": big} {
		err := s.Update(t.Context(), func(tx store.Tx) error {
			_, _, err := Put(tx, box, name, value, ViaSet, "", now)
			return err
		})
		if !errors.Is(err, store.ErrInvalid) || strings.Contains(err.Error(), "hidden") || strings.Contains(err.Error(), "vvvv") {
			t.Errorf("Put(%q): %v", name, err)
		}
	}
}

// TestPin: services get the versions of the secrets they reference;
// one the apply did not send and the store lacks is a problem at the
// service's env, naming the secret.
func TestPin(t *testing.T) {
	box, _ := newBox(t)
	s := store.NewMemory()
	err := s.Update(t.Context(), func(tx store.Tx) error {
		_, _, err := Put(tx, box, "api", []byte("k"), ViaSet, "", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	app, err := spec.Parse("slipway.yaml", []byte("app: shop\nservices:\n  web:\n    run: [./web]\n    env: {A: '${secret.api}', D: '${secret.db}'}\n  worker:\n    run: [./w]\n    env: {X: '${secret.gone}'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(t.Context(), func(tx store.Tx) error {
		return Pin(tx, app, map[string]int{"db": 4}, "slipway.yaml", "prod", true)
	})
	var ps *spec.Problems
	if !errors.As(err, &ps) || len(*ps) != 1 || (*ps)[0].Line != 8 || !strings.Contains((*ps)[0].Message, "secret gone is not stored in environment prod") {
		t.Fatalf("Pin: %v", err)
	}
	if got := app.Services["web"].SecretVersions; got["api"] != 1 || got["db"] != 4 || len(got) != 2 {
		t.Fatalf("web's versions = %v", got)
	}
}

// TestPinNotificationSecrets: a notification's URL and signing key must
// be sent or stored; a missing one is a problem at its line.
func TestPinNotificationSecrets(t *testing.T) {
	box, _ := newBox(t)
	s := store.NewMemory()
	err := s.Update(t.Context(), func(tx store.Tx) error {
		_, _, err := Put(tx, box, "hook", []byte("https://hooks.example/x"), ViaSet, "", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	app, err := spec.Parse("slipway.yaml", []byte("app: shop\nservices:\n  web: {run: [./web]}\nnotifications:\n"+
		"  audit:\n    webhook: {url: '${secret.hook}', secret: hook-key}\n  chat:\n    slack: {url: '${secret.slack}'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(t.Context(), func(tx store.Tx) error {
		return Pin(tx, app, map[string]int{"slack": 1}, "slipway.yaml", "prod", true)
	})
	var ps *spec.Problems
	if !errors.As(err, &ps) || len(*ps) != 1 || (*ps)[0].Line != 6 || (*ps)[0].Path != "notifications.audit.webhook.secret" ||
		!strings.Contains((*ps)[0].Message, "secret hook-key is not stored in environment prod") {
		t.Fatalf("Pin: %v", err)
	}
}

// TestPinDNSSecrets: a secret the DNS-01 hook's env references must be
// sent or stored; a missing one is a problem at the env's line.
func TestPinDNSSecrets(t *testing.T) {
	box, _ := newBox(t)
	s := store.NewMemory()
	err := s.Update(t.Context(), func(tx store.Tx) error {
		_, _, err := Put(tx, box, "token", []byte("t"), ViaSet, "", now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	app, err := spec.Parse("slipway.yaml", []byte("app: shop\nservices:\n  web: {run: [./web]}\ntls:\n  acme:\n    directory: https://ca.example/dir\n"+
		"    dns:\n      exec: [./hook]\n      env: {A: '${secret.token}', B: '${secret.tsig}'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(t.Context(), func(tx store.Tx) error {
		return Pin(tx, app, nil, "slipway.yaml", spec.DefaultEnvironment, true)
	})
	var ps *spec.Problems
	if !errors.As(err, &ps) || len(*ps) != 1 || (*ps)[0].Line != 9 || (*ps)[0].Path != "tls.acme.dns.env" ||
		!strings.Contains((*ps)[0].Message, "secret tsig is not stored") {
		t.Fatalf("Pin: %v", err)
	}
}
