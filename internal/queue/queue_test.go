package queue

import (
	"context"
	"testing"
	"time"
)

func TestAddDedupsAndOrders(t *testing.T) {
	q := New()
	q.Add("a")
	q.Add("b")
	q.Add("a")
	if q.Len() != 2 {
		t.Fatalf("len %d, want 2", q.Len())
	}
	ctx := context.Background()
	for _, want := range []string{"a", "b"} {
		k, _ := q.Get(ctx)
		if k != want {
			t.Fatalf("got %q, want %q", k, want)
		}
		q.Done(k)
	}
}

func TestAddWhileActiveRequeuesOnDone(t *testing.T) {
	q := New()
	q.Add("a")
	k, _ := q.Get(context.Background())
	q.Add("a")
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
	q.AddAfter("late", 30*time.Millisecond)
	q.Add("now")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if k, _ := q.Get(ctx); k != "now" {
		t.Fatalf("got %q first", k)
	}
	if k, ok := q.Get(ctx); !ok || k != "late" {
		t.Fatalf("got %q %v, want late", k, ok)
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
		q.AddAfter("k", time.Hour+time.Duration(i)*time.Second)
	}
	q.AddAfter("k", time.Minute)
	if q.Waiting() != 1 || q.later.Len() != 2 {
		t.Fatalf("waiting %d, timers %d; want one key, two heap entries (the first and the earlier)", q.Waiting(), q.later.Len())
	}
}

func TestBackoffHoldsAdds(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	q := NewWithClock(func() time.Time { return now })
	q.Add("k")
	k, _ := q.Get(context.Background())
	q.Backoff(k, 10*time.Second)
	q.Done(k)
	q.Add("k") // e.g. a resync
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
	q.Forget("k")
	if len(q.held) != 0 {
		t.Fatal("Forget kept the hold")
	}
}
