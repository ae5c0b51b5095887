package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

func sampleToken(name string) store.Token {
	return store.Token{Name: name, Role: "deployer", Hash: strings.Repeat("ab", 32), CreatedAt: epoch, CreatedBy: "uid:0 (root)"}
}

// testTokens creates, reads, lists, replaces and deletes API tokens,
// each write checked against the version it read, and refuses
// incomplete ones.
func testTokens(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, name := range []string{"ci", "alice"} {
			must(t, tx.PutToken(sampleToken(name)))
		}
		return nil
	})
	want := sampleToken("ci")
	want.Version = 1
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetToken("ci")
		must(t, err)
		equal(t, "created", got, want)
		all, err := tx.ListTokens()
		must(t, err)
		equal(t, "listed by name", len(all), 2)
		equal(t, "first by name", all[0].Name, "alice")
		notFound(t, "GetToken", func() error { _, err := tx.GetToken("bob"); return err })
		return nil
	})
	want.Role = "admin"
	update(t, s, func(tx store.Tx) error { return tx.PutToken(want) })
	stale := want // version 1 again: the store now holds 2
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutToken(stale) }); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutToken of a stale version: got %v, want ErrConflict", err)
	}
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutToken(sampleToken("ci")) }); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutToken creating one that exists: got %v, want ErrConflict", err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteToken("alice") })
	view(t, s, func(tx store.Tx) error {
		notFound(t, "GetToken of a revoked one", func() error { _, err := tx.GetToken("alice"); return err })
		got, err := tx.GetToken("ci")
		must(t, err)
		equal(t, "replaced role", got.Role, "admin")
		equal(t, "replaced version", got.Version, int64(2))
		return nil
	})
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteToken("alice") }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteToken of none: got %v, want ErrNotFound", err)
	}
	if err := s.View(t.Context(), func(tx store.Tx) error { return tx.PutToken(sampleToken("x")) }); err == nil {
		t.Error("PutToken in View: no error")
	}
	bad := sampleToken("short")
	bad.Hash = "abc"
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutToken(bad) }); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("PutToken with a short hash: got %v, want ErrInvalid", err)
	}
}

// testEventActor checks that an event appended in an Update whose
// context names an actor records it, and that a writer's own By wins.
func testEventActor(t *testing.T, s store.Store) {
	ctx := store.WithActor(t.Context(), "token:ci")
	var got, own store.Event
	err := s.Update(ctx, func(tx store.Tx) (err error) {
		if got, err = tx.AppendEvent(store.Event{Time: epoch, Type: "test.actor", Message: "m"}); err != nil {
			return err
		}
		own, err = tx.AppendEvent(store.Event{Time: epoch, Type: "test.actor", Message: "m", By: "uid:0 (root)"})
		return err
	})
	must(t, err)
	equal(t, "by from the context", got.By, "token:ci")
	equal(t, "the writer's own by", own.By, "uid:0 (root)")
	view(t, s, func(tx store.Tx) error {
		evs, err := tx.ListEvents(0, "", 0)
		must(t, err)
		equal(t, "stored by", evs[len(evs)-2].By, "token:ci")
		return nil
	})
}
