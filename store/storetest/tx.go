package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// testRollback checks that an Update whose fn fails leaves nothing behind,
// the event it appended included, and returns fn's error as is.
func testRollback(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		_, err := tx.AppendEvent(sampleEvent("before", 0))
		return err
	})
	boom := errors.New("boom")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		must(t, tx.PutApp(store.App{Name: "x"}))
		must(t, tx.PutService(sampleService("a")))
		must(t, tx.PutInstance(sampleInstance("a-1", "a")))
		_, err := tx.CreateRevision(sampleRevision("a"))
		must(t, err)
		_, err = tx.CreateOperation(sampleOperation(store.OperationRunning))
		must(t, err)
		_, err = tx.AppendEvent(sampleEvent("a", 1))
		must(t, err)
		return boom
	})
	if err != boom {
		t.Fatalf("Update returned %v, want fn's error as is", err)
	}
	view(t, s, func(tx store.Tx) error {
		notFound(t, "app", func() error { _, err := tx.GetApp(); return err })
		notFound(t, "service", func() error { _, err := tx.GetService("a"); return err })
		notFound(t, "instance", func() error { _, err := tx.GetInstance("a-1"); return err })
		notFound(t, "revision", func() error { _, err := tx.GetRevision("a", 1); return err })
		ops, err := tx.ListOperations(false, 0)
		must(t, err)
		evs, err := tx.ListEvents(0, "", 0)
		must(t, err)
		if len(ops) != 0 || len(evs) != 1 {
			t.Errorf("after rollback: %d operations, %d events; want 0 and 1", len(ops), len(evs))
		}
		return nil
	})
}

// testReturnsCopies mutates every slice, map and pointer in returned
// records and checks that a re-read is unchanged.
func testReturnsCopies(t *testing.T, s store.Store) {
	var opID, seq int64
	update(t, s, func(tx store.Tx) error {
		_, err := tx.CreateRevision(sampleRevision("a"))
		must(t, err)
		op, err := tx.CreateOperation(sampleOperation(store.OperationRunning))
		must(t, err)
		e, err := tx.AppendEvent(sampleEvent("a", 1))
		opID, seq = op.ID, e.Seq
		scribble(&op, &e)
		return err
	})
	view(t, s, func(tx store.Tx) error {
		r, err := tx.GetRevision("a", 1)
		must(t, err)
		scribbleSpec(&r)
		revs, err := tx.ListRevisions("a")
		must(t, err)
		scribbleSpec(&revs[0])
		op, err := tx.GetOperation(opID)
		must(t, err)
		evs, err := tx.ListEvents(0, "", 0)
		must(t, err)
		scribble(&op, &evs[0])
		ops, err := tx.ListOperations(false, 0)
		must(t, err)
		scribble(&ops[0], &store.Event{})
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		checkPristine(t, tx, opID, seq)
		return nil
	})
}

// testStoresCopies mutates records after putting them and checks that the
// store kept what was put.
func testStoresCopies(t *testing.T, s store.Store) {
	var opID, seq int64
	update(t, s, func(tx store.Tx) error {
		r := sampleRevision("a")
		_, err := tx.CreateRevision(r)
		must(t, err)
		scribbleSpec(&r)
		op := sampleOperation(store.OperationRunning)
		created, err := tx.CreateOperation(op)
		must(t, err)
		e := sampleEvent("a", 1)
		appended, err := tx.AppendEvent(e)
		opID, seq = created.ID, appended.Seq
		scribble(&op, &e)
		return err
	})
	view(t, s, func(tx store.Tx) error {
		checkPristine(t, tx, opID, seq)
		return nil
	})
}

func scribble(op *store.Operation, e *store.Event) {
	op.Changes[0].Service = "scribbled"
	op.Changes[0].DependsOn[0] = "scribbled"
	op.Failure.Logs[0] = "scribbled"
	op.Failure.Reason = "scribbled"
	if len(e.Data) > 0 {
		e.Data[0] = 'X'
	}
}

func scribbleSpec(r *store.Revision) {
	r.Spec.Run[0] = "scribbled"
	r.Spec.Env["MODE"] = "scribbled"
	r.Spec.Env["NEW"] = "scribbled"
	*r.Spec.Instances = 99
	r.Spec.DependsOn[0] = "scribbled"
	r.Spec.Artifact.Digest = "scribbled"
	r.Spec.Health.Readiness.Exec[0] = "scribbled"
}

func checkPristine(t *testing.T, tx store.Tx, opID, seq int64) {
	t.Helper()
	r, err := tx.GetRevision("a", 1)
	must(t, err)
	wantRev := sampleRevision("a")
	wantRev.Number = 1
	equal(t, "revision", r, wantRev)
	op, err := tx.GetOperation(opID)
	must(t, err)
	wantOp := sampleOperation(store.OperationRunning)
	wantOp.ID, wantOp.StoreVersion = opID, 1
	equal(t, "operation", op, wantOp)
	evs, err := tx.ListEvents(0, "", 0)
	must(t, err)
	wantEv := sampleEvent("a", 1)
	wantEv.Seq = seq
	equal(t, "events", evs, []store.Event{wantEv})
}

func notFound(t *testing.T, what string, get func() error) {
	t.Helper()
	if err := get(); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: got %v, want ErrNotFound", what, err)
	}
}

func testViewRejectsWrites(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		_, err := tx.CreateOperation(sampleOperation(store.OperationRunning))
		must(t, err)
		must(t, tx.PutService(sampleService("a")))
		must(t, tx.PutInstance(sampleInstance("a-1", "a")))
		_, err = tx.CreateRevision(sampleRevision("a"))
		return err
	})
	writes := map[string]func(tx store.Tx) error{
		"PutApp":           func(tx store.Tx) error { return tx.PutApp(store.App{Name: "x"}) },
		"PutService":       func(tx store.Tx) error { return tx.PutService(sampleService("b")) },
		"DeleteService":    func(tx store.Tx) error { return tx.DeleteService("a") },
		"CreateRevision":   func(tx store.Tx) error { _, err := tx.CreateRevision(sampleRevision("a")); return err },
		"SetRevisionState": func(tx store.Tx) error { return tx.SetRevisionState("a", 1, store.RevisionStable, "") },
		"PutInstance":      func(tx store.Tx) error { return tx.PutInstance(sampleInstance("b-1", "b")) },
		"DeleteInstance":   func(tx store.Tx) error { return tx.DeleteInstance("a-1") },
		"CreateOperation": func(tx store.Tx) error {
			_, err := tx.CreateOperation(sampleOperation(store.OperationRunning))
			return err
		},
		"PutOperation": func(tx store.Tx) error { return tx.PutOperation(sampleOperation(store.OperationRunning)) },
		"AppendEvent":  func(tx store.Tx) error { _, err := tx.AppendEvent(sampleEvent("a", 1)); return err },
	}
	for name, write := range writes {
		if err := s.View(t.Context(), write); err == nil {
			t.Errorf("%s in View: no error", name)
		}
	}
	view(t, s, func(tx store.Tx) error {
		notFound(t, "app", func() error { _, err := tx.GetApp(); return err })
		svcs, err := tx.ListServices()
		must(t, err)
		revs, err := tx.ListRevisions("a")
		must(t, err)
		ins, err := tx.ListInstances("")
		must(t, err)
		ops, err := tx.ListOperations(false, 0)
		must(t, err)
		evs, err := tx.ListEvents(0, "", 0)
		must(t, err)
		if len(svcs) != 1 || len(revs) != 1 || len(ins) != 1 || len(ops) != 1 || len(evs) != 0 {
			t.Errorf("writes in View changed the store: %d services, %d revisions, %d instances, %d operations, %d events",
				len(svcs), len(revs), len(ins), len(ops), len(evs))
		}
		return nil
	})
}

// testViewSnapshot checks that a View does not see an Update that commits
// while it runs.
func testViewSnapshot(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { _, err := tx.AppendEvent(sampleEvent("a", 0)); return err })
	view(t, s, func(tx store.Tx) error {
		before, err := tx.ListEvents(0, "", 0)
		must(t, err)
		done := make(chan error)
		go func() {
			done <- s.Update(context.Background(), func(tx store.Tx) error {
				if _, err := tx.AppendEvent(sampleEvent("a", 1)); err != nil {
					return err
				}
				return tx.PutService(sampleService("a"))
			})
		}()
		must(t, <-done)
		after, err := tx.ListEvents(0, "", 0)
		must(t, err)
		if len(before) != 1 || len(after) != 1 {
			t.Errorf("events in one View: %d then %d, want 1 and 1", len(before), len(after))
		}
		notFound(t, "service committed after the View began", func() error { _, err := tx.GetService("a"); return err })
		return nil
	})
}

// testConcurrentUpdates runs writers from several goroutines and checks
// that none of their writes is lost, including read-modify-write ones.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	const workers, each = 8, 50
	update(t, s, func(tx store.Tx) error { return tx.PutService(store.Service{Name: "counter"}) })
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				errs <- s.Update(context.Background(), func(tx store.Tx) error {
					return bump(tx, sampleEvent("a", w*each+i))
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	view(t, s, func(tx store.Tx) error {
		evs, err := tx.ListEvents(0, "", 0)
		must(t, err)
		seen := map[int64]bool{}
		for _, e := range evs {
			seen[e.Seq] = true
		}
		c, err := tx.GetService("counter")
		must(t, err)
		if len(evs) != workers*each || len(seen) != workers*each || c.Revision != workers*each {
			t.Errorf("got %d events, %d distinct seqs, counter %d; want %d each",
				len(evs), len(seen), c.Revision, workers*each)
		}
		return nil
	})
}

// bump appends e and increments the counter service's Revision.
func bump(tx store.Tx, e store.Event) error {
	if _, err := tx.AppendEvent(e); err != nil {
		return err
	}
	c, err := tx.GetService("counter")
	if err != nil {
		return err
	}
	c.Revision++
	return tx.PutService(c)
}

func testCanceledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx store.Tx) error {
		ran = true
		return tx.PutService(sampleService("a"))
	})
	if err == nil && ran {
		view(t, s, func(tx store.Tx) error {
			_, err := tx.GetService("a")
			if err == nil {
				t.Errorf("Update with a canceled context committed")
			}
			return nil
		})
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context: got %v, want context.Canceled", err)
	}
}
