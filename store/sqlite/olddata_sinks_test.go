package sqlite

import (
	"errors"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestOldReleaseSinks: a database of the release before notifications
// opens with no sink cursor and no used link, then takes both (the
// migration adds their tables), a second use of a link refused.
func TestOldReleaseSinks(t *testing.T) {
	s := openOld(t, "slipway.db")
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListSinkCursors()
		if err != nil || len(all) != 0 {
			t.Errorf("ListSinkCursors = %v, %v; want none", all, err)
		}
		return nil
	})
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.PutSinkCursor(store.SinkCursor{Sink: "chat", Seq: 3}); err != nil {
			return err
		}
		return tx.UseLink(store.LinkUse{Nonce: "n1", Action: "approve", Promotion: 1, By: "link:alice"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(t.Context(), func(tx store.Tx) error {
		return tx.UseLink(store.LinkUse{Nonce: "n1", Action: "approve"})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("second use of a link: %v, want ErrConflict", err)
	}
	view(t, s, func(tx store.Tx) error {
		c, err := tx.GetSinkCursor("chat")
		if err != nil || c.Seq != 3 || c.Version != 1 {
			t.Errorf("cursor = %+v, %v", c, err)
		}
		return nil
	})
}
