package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// TestEventQueryPlans logs EXPLAIN QUERY PLAN for the event range scans
// and checks that neither scans the table.
func TestEventQueryPlans(t *testing.T) {
	s := fill(t, 1000, 20)
	for _, q := range []struct {
		query, index string
		args         []any
	}{
		{eventsOfService, "events_service_seq", []any{"svc-07", 0, -1}},
		{eventsAll, "INTEGER PRIMARY KEY", []any{0, -1}},
		{eventsOfServiceBefore, "events_service_seq", []any{"svc-07", 1 << 62, 1}},
		{eventsBefore, "INTEGER PRIMARY KEY", []any{1 << 62, 500}},
		{eventsOfTypes(2), "INTEGER PRIMARY KEY", []any{"service.rollout.step", "incident.opened", 0, -1}},
	} {
		plan := explain(t, s, q.query, q.args...)
		t.Logf("EXPLAIN QUERY PLAN %s\n%s", q.query, plan)
		if !strings.Contains(plan, q.index) || strings.Contains(plan, "SCAN") {
			t.Errorf("plan does not search %s:\n%s", q.index, plan)
		}
	}
}

func explain(t testing.TB, s *Store, query string, args ...any) string {
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	return strings.Join(lines, "\n")
}

// BenchmarkListEvents100k reads one service's whole history (5,000 of
// 100,000 events across 20 services).
func BenchmarkListEvents100k(b *testing.B) {
	s := fill(b, 100_000, 20)
	ctx := context.Background()
	for b.Loop() {
		err := s.View(ctx, func(tx store.Tx) error {
			evs, err := tx.ListEvents(0, "svc-07", 0)
			if err == nil && len(evs) != 5000 {
				err = fmt.Errorf("got %d events", len(evs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListEventsPage100k reads a page of 100 events of one service
// from the middle of a 100,000-event log, as the dashboard does.
func BenchmarkListEventsPage100k(b *testing.B) {
	s := fill(b, 100_000, 20)
	ctx := context.Background()
	for b.Loop() {
		err := s.View(ctx, func(tx store.Tx) error {
			evs, err := tx.ListEvents(50_000, "svc-07", 100)
			if err == nil && len(evs) != 100 {
				err = fmt.Errorf("got %d events", len(evs))
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// fill opens a store holding n events spread round-robin over services,
// appended 10,000 to a transaction.
func fill(tb testing.TB, n, services int) *Store {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "slipway.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	for start := 0; start < n; start += 10_000 {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			for i := start; i < min(start+10_000, n); i++ {
				e := store.Event{
					Type:    "service.rollout.step",
					Service: fmt.Sprintf("svc-%02d", i%services),
					Message: fmt.Sprintf("step %d", i),
					Data:    []byte(`{"weight":25}`),
				}
				if _, err := tx.AppendEvent(e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return s
}
