package queue

import (
	"context"
	"testing"
	"time"
)

func TestAddDedupsAndOrders(t *testing.T) {
	q := New()
	q.Add(svc("a"))
	q.Add(svc("b"))
	q.Add(svc("a"))
	if q.Len() != 2 {
		t.Fatalf("len %d, want 2", q.Len())
	}
	ctx := context.Background()
	for _, want := range []Key{svc("a"), svc("b")} {
		k, _ := q.Get(ctx)
		if k != want {
			t.Fatalf("got %s, want %s", k, want)
		}
		q.Done(k)
	}
}

func TestAddWhileActiveRequeuesOnDone(t *testing.T) {
	q := New()
	q.Add(svc("a"))
	k, _ := q.Get(context.Background())
	q.Add(svc("a"))
	if q.Len() != 0 {
		t.Fatal("active key handed out twice")
	}
	q.Done(k)
	if q.Len() != 1 {
		t.Fatal("dirty key not requeued on Done")
	}
}

func TestAddAfterWaits(t *testing.T) {
	q := New()
	q.AddAfter(svc("late"), 30*time.Millisecond)
	q.Add(svc("now"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if k, _ := q.Get(ctx); k != svc("now") {
		t.Fatalf("got %s first", k)
	}
	if k, ok := q.Get(ctx); !ok || k != svc("late") {
		t.Fatalf("got %s %v, want svc:late", k, ok)
	}
}

func TestGetStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := New().Get(ctx); ok {
		t.Fatal("Get returned a key from an empty queue after cancel")
	}
}

func TestOneWaitPerKey(t *testing.T) {
	q := New()
	for i := range 1000 {
		q.AddAfter(svc("k"), time.Hour+time.Duration(i)*time.Second)
	}
	q.AddAfter(svc("k"), time.Minute)
	if q.Waiting() != 1 || q.later.Len() != 2 {
		t.Fatalf("waiting %d, timers %d; want one key, two heap entries (the first and the earlier)", q.Waiting(), q.later.Len())
	}
}

func TestBackoffHoldsAdds(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	q := NewWithClock(func() time.Time { return now })
	q.Add(svc("k"))
	k, _ := q.Get(context.Background())
	q.Backoff(k, 10*time.Second)
	q.Done(k)
	q.Add(svc("k")) // e.g. a resync
	if q.Len() != 0 {
		t.Fatal("a backing-off key was queued at once")
	}
	now = now.Add(10 * time.Second)
	q.mu.Lock()
	q.promoteLocked(now)
	q.mu.Unlock()
	if q.Len() != 1 {
		t.Fatal("key not queued when its backoff ended")
	}
	q.Forget(svc("k"))
	if len(q.held) != 0 {
		t.Fatal("Forget kept the hold")
	}
}

func svc(name string) Key { return ServiceKey(name) }

func TestKeysOfKindsDiffer(t *testing.T) {
	q := New()
	q.Add(ServiceKey("1"))
	q.Add(OperationKey(1))
	q.Add(PromotionKey(1))
	q.Add(FlagKey("1"))
	q.Add(OperationKey(1))
	if q.Len() != 4 {
		t.Fatalf("len %d, want 4: keys of different kinds with the same name are different keys", q.Len())
	}
}

func TestKeyString(t *testing.T) {
	for _, tc := range []struct {
		key  Key
		want string
	}{
		{ServiceKey("order"), "svc:order"},
		{OperationKey(12), "op:12"},
		{FlagKey("new-checkout"), "flag:new-checkout"},
		{PromotionKey(3), "promo:3"},
		{Key{Kind: 9, Name: "x"}, "kind(9):x"},
	} {
		if got := tc.key.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.key, got, tc.want)
		}
	}
}

func TestKeyID(t *testing.T) {
	for _, tc := range []struct {
		key    Key
		want   int64
		wantOK bool
	}{
		{OperationKey(12), 12, true},
		{PromotionKey(1 << 40), 1 << 40, true},
		{ServiceKey("12"), 0, false},
		{FlagKey("7"), 0, false},
		{Key{Kind: Operation, Name: "x"}, 0, false},
	} {
		got, err := tc.key.ID()
		if got != tc.want || (err == nil) != tc.wantOK {
			t.Errorf("%s.ID() = %d, %v; want %d, ok %v", tc.key, got, err, tc.want, tc.wantOK)
		}
	}
}
