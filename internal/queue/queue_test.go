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
