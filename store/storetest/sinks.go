package storetest

import (
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// testSinkCursors creates, reads, lists and replaces notification sinks'
// cursors, each write checked against the version it read.
func testSinkCursors(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		must(t, tx.PutSinkCursor(store.SinkCursor{Sink: "prod/chat", Seq: 4}))
		return tx.PutSinkCursor(store.SinkCursor{Sink: "audit", Seq: 2, LastError: "503", LastErrorAt: epoch, Failures: 1})
	})
	var got store.SinkCursor
	view(t, s, func(tx store.Tx) error {
		var err error
		got, err = tx.GetSinkCursor("audit")
		must(t, err)
		equal(t, "created", got, store.SinkCursor{Sink: "audit", Version: 1, Seq: 2, LastError: "503", LastErrorAt: epoch, Failures: 1})
		all, err := tx.ListSinkCursors()
		must(t, err)
		equal(t, "listed", len(all), 2)
		equal(t, "first by sink", all[0].Sink, "audit")
		notFound(t, "GetSinkCursor", func() error { _, err := tx.GetSinkCursor("none"); return err })
		return nil
	})
	next := got
	next.Seq, next.Failures, next.LastError = 9, 0, ""
	update(t, s, func(tx store.Tx) error { return tx.PutSinkCursor(next) })
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutSinkCursor(got) }); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PutSinkCursor of a stale version: got %v, want ErrConflict", err)
	}
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutSinkCursor(store.SinkCursor{}) }); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("PutSinkCursor without a sink: got %v, want ErrInvalid", err)
	}
}

// testLinkUses records a one-time link's use once, and refuses it again.
func testLinkUses(t *testing.T, s store.Store) {
	u := store.LinkUse{Nonce: "prod-3-approve", Action: "approve", Promotion: 1, By: "link:alice", UsedAt: epoch}
	update(t, s, func(tx store.Tx) error { return tx.UseLink(u) })
	if err := s.Update(t.Context(), func(tx store.Tx) error { return tx.UseLink(u) }); !errors.Is(err, store.ErrConflict) {
		t.Errorf("UseLink twice: got %v, want ErrConflict", err)
	}
	if err := s.View(t.Context(), func(tx store.Tx) error { return tx.UseLink(store.LinkUse{Nonce: "x"}) }); err == nil {
		t.Error("UseLink in View: no error")
	}
}
