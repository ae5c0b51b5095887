package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

func testOperationIDs(t *testing.T, s store.Store) {
	var last int64
	for range 3 {
		update(t, s, func(tx store.Tx) error {
			want := sampleOperation(store.OperationRunning)
			op, err := tx.CreateOperation(want)
			must(t, err)
			if op.ID <= last {
				t.Errorf("operation id %d after %d: want increasing", op.ID, last)
			}
			last = op.ID
			want.ID, want.StoreVersion = op.ID, 1
			equal(t, "created", op, want)
			return nil
		})
	}
	update(t, s, func(tx store.Tx) error {
		op, err := tx.GetOperation(last)
		must(t, err)
		op.State = store.OperationSucceeded
		op.Changes[0].Done = true
		return tx.PutOperation(op)
	})
	view(t, s, func(tx store.Tx) error {
		op, err := tx.GetOperation(last)
		must(t, err)
		want := sampleOperation(store.OperationSucceeded)
		want.ID, want.StoreVersion = last, 2
		want.Changes[0].Done = true
		equal(t, "replaced", op, want)
		return nil
	})
}

func testListOperations(t *testing.T, s store.Store) {
	states := []store.OperationState{
		store.OperationSucceeded, store.OperationRunning, store.OperationRolledBack,
		store.OperationRollingBack, store.OperationSuperseded, store.OperationRunning,
	}
	var created []int64
	update(t, s, func(tx store.Tx) error {
		for _, st := range states {
			op, err := tx.CreateOperation(sampleOperation(st))
			must(t, err)
			created = append(created, op.ID)
		}
		return nil
	})
	c := created
	view(t, s, func(tx store.Tx) error {
		for _, tc := range []struct {
			active bool
			limit  int
			want   []int64
		}{
			{false, 0, []int64{c[5], c[4], c[3], c[2], c[1], c[0]}},
			{false, 2, []int64{c[5], c[4]}},
			{true, 0, []int64{c[5], c[3], c[1]}},
			{true, 2, []int64{c[5], c[3]}},
			{true, 10, []int64{c[5], c[3], c[1]}},
		} {
			ops, err := tx.ListOperations(tc.active, tc.limit)
			must(t, err)
			var got []int64
			for _, op := range ops {
				got = append(got, op.ID)
				if tc.active && op.State.Terminal() {
					t.Errorf("active list holds terminal operation %d", op.ID)
				}
			}
			equal(t, "ids", got, tc.want)
		}
		return nil
	})
}

func testAppendEvent(t *testing.T, s store.Store) {
	var last int64
	for i := range 3 {
		update(t, s, func(tx store.Tx) error {
			for j := range 2 {
				want := sampleEvent("a", i*2+j)
				e, err := tx.AppendEvent(want)
				must(t, err)
				if e.Seq <= last {
					t.Errorf("seq %d after %d: want increasing", e.Seq, last)
				}
				last = e.Seq
				want.Seq = e.Seq
				equal(t, "appended", e, want)
			}
			return nil
		})
	}
	view(t, s, func(tx store.Tx) error {
		evs, err := tx.ListEvents(0, "", 0)
		must(t, err)
		if len(evs) != 6 || evs[5].Seq != last {
			t.Fatalf("got %d events ending at %d, want 6 ending at %d", len(evs), evs[len(evs)-1].Seq, last)
		}
		want := sampleEvent("a", 5)
		want.Seq = last
		equal(t, "stored", evs[5], want)
		return nil
	})
}

func testListEvents(t *testing.T, s store.Store) {
	svcs := []string{"a", "b", "", "a", "c", "a", "b"}
	var seqs []int64
	update(t, s, func(tx store.Tx) error {
		for i, svc := range svcs {
			e, err := tx.AppendEvent(sampleEvent(svc, i))
			must(t, err)
			seqs = append(seqs, e.Seq)
		}
		return nil
	})
	q := seqs
	view(t, s, func(tx store.Tx) error {
		for _, tc := range []struct {
			after   int64
			service string
			limit   int
			want    []int64
		}{
			{0, "", 0, q},
			{0, "", 3, q[:3]},
			{q[2], "", 0, q[3:]},
			{q[2], "", 2, q[3:5]},
			{0, "a", 0, []int64{q[0], q[3], q[5]}},
			{q[0], "a", 1, []int64{q[3]}},
			{q[5], "a", 0, nil},
			{0, "nope", 0, nil},
			{q[6], "", 0, nil},
		} {
			evs, err := tx.ListEvents(tc.after, tc.service, tc.limit)
			must(t, err)
			var got []int64
			for _, e := range evs {
				got = append(got, e.Seq)
			}
			equal(t, "seqs", got, tc.want)
		}
		return nil
	})
}

func testListEventsOfType(t *testing.T, s store.Store) {
	types := []store.EventType{"a.x", "b.y", "a.x", "c.z", "b.y", "a.x"}
	var q []int64
	update(t, s, func(tx store.Tx) error {
		for i, typ := range types {
			e := sampleEvent("svc", i)
			e.Type = typ
			e, err := tx.AppendEvent(e)
			must(t, err)
			q = append(q, e.Seq)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for _, tc := range []struct {
			after int64
			types []store.EventType
			limit int
			want  []int64
		}{
			{0, []store.EventType{"a.x"}, 0, []int64{q[0], q[2], q[5]}},
			{0, []store.EventType{"b.y", "a.x"}, 0, []int64{q[0], q[1], q[2], q[4], q[5]}},
			{0, []store.EventType{"b.y", "a.x"}, 2, []int64{q[0], q[1]}},
			{q[2], []store.EventType{"a.x", "c.z"}, 0, []int64{q[3], q[5]}},
			{0, []store.EventType{"a"}, 0, nil},
			{0, nil, 0, nil},
		} {
			evs, err := tx.ListEventsOfType(tc.after, tc.types, tc.limit)
			must(t, err)
			var got []int64
			for _, e := range evs {
				got = append(got, e.Seq)
				if !slices.Contains(tc.types, e.Type) {
					t.Errorf("ListEventsOfType(%v) returned a %s event", tc.types, e.Type)
				}
			}
			equal(t, fmt.Sprintf("seqs of %v after %d", tc.types, tc.after), got, tc.want)
		}
		return nil
	})
}

func testListEventsBefore(t *testing.T, s store.Store) {
	services := []string{"a", "b", "a", "c", "a"}
	var q []int64
	update(t, s, func(tx store.Tx) error {
		for i, svc := range services {
			e, err := tx.AppendEvent(sampleEvent(svc, i))
			must(t, err)
			q = append(q, e.Seq)
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		for _, tc := range []struct {
			before  int64
			service string
			limit   int
			want    []int64
		}{
			{0, "", 0, []int64{q[4], q[3], q[2], q[1], q[0]}},
			{0, "", 2, []int64{q[4], q[3]}},
			{q[3], "", 0, []int64{q[2], q[1], q[0]}},
			{0, "a", 1, []int64{q[4]}},
			{q[4], "a", 0, []int64{q[2], q[0]}},
			{q[4] + 100, "b", 0, []int64{q[1]}},
			{q[0], "", 0, nil},
			{0, "nobody", 0, nil},
		} {
			evs, err := tx.ListEventsBefore(tc.before, tc.service, tc.limit)
			must(t, err)
			var got []int64
			for _, e := range evs {
				got = append(got, e.Seq)
				if tc.service != "" && e.Service != tc.service {
					t.Errorf("ListEventsBefore(%q) returned an event of %q", tc.service, e.Service)
				}
			}
			equal(t, fmt.Sprintf("seqs before %d of %q, limit %d", tc.before, tc.service, tc.limit), got, tc.want)
		}
		return nil
	})
}
