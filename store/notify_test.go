package store

import (
	"context"
	"errors"
	"testing"
)

func TestNotifierCountsOnlyCommits(t *testing.T) {
	n := NewNotifier(NewMemory())
	ctx := context.Background()
	changed := n.Changed()
	if err := n.Update(ctx, func(tx Tx) error { return tx.PutService(Service{Name: "a"}) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	default:
		t.Fatal("Changed not closed by a commit")
	}
	if n.Version() != 1 {
		t.Fatalf("version %d after one commit", n.Version())
	}
	failed := errors.New("no")
	if err := n.Update(ctx, func(tx Tx) error { return failed }); !errors.Is(err, failed) {
		t.Fatalf("err %v", err)
	}
	if n.Version() != 1 {
		t.Fatalf("a rolled-back update bumped the version to %d", n.Version())
	}
	select {
	case <-n.Changed():
		t.Fatal("Changed closed without a commit")
	default:
	}
}
