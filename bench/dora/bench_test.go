package dorabench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/dora"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// history writes about n events over 90 days. With noise, each rollout
// also writes what the server writes around it (operation and instance
// events); without, only the events dora reads.
type history struct {
	evs   []store.Event
	noise bool
}

func (h *history) add(at time.Time, typ store.EventType, svc string, rev int, op int64, data string) {
	e := store.Event{Time: at, Type: typ, Service: svc, Revision: rev, Operation: op,
		Message: fmt.Sprintf("%s: %s revision %d (operation %d)", svc, typ, rev, op)}
	if data != "" {
		e.Data = []byte(data)
	}
	h.evs = append(h.evs, e)
}

// instances adds the events of two instances of rev starting and two of
// the previous revision stopping.
func (h *history) instances(at time.Time, svc string, rev int, op int64) {
	if !h.noise {
		return
	}
	for i := range 2 {
		id := fmt.Sprintf("%s-%d-%04x", svc, rev, i)
		h.evs = append(h.evs,
			store.Event{Time: at, Type: "instance.created", Service: svc, Revision: rev, Instance: id, Operation: op, Message: "instance " + id + " created on port 40123"},
			store.Event{Time: at, Type: "instance.started", Service: svc, Revision: rev, Instance: id, Operation: op, Message: "instance " + id + " started (pid 123456)"},
			store.Event{Time: at, Type: "instance.ready", Service: svc, Revision: rev, Instance: id, Operation: op, Message: "instance " + id + " ready: http GET /healthz: 200"},
			store.Event{Time: at, Type: "instance.stopping", Service: svc, Revision: rev - 1, Instance: id, Operation: op, Message: "instance " + id + " draining"},
		)
	}
}

func generate(n int, noise bool) []store.Event {
	h := &history{noise: noise}
	perDeploy := 1.5
	if noise {
		perDeploy = 15
	}
	step := 90 * 24 * time.Hour / time.Duration(float64(n)/perDeploy)
	revs := map[string]int{}
	for i := 0; len(h.evs) < n; i++ {
		at := start.Add(time.Duration(i) * step)
		svc := fmt.Sprintf("svc-%02d", i%20)
		op := int64(i + 1)
		revs[svc]++
		rev := revs[svc]
		h.deployment(at, step, svc, rev, op, i)
	}
	return h.evs[:n]
}

// deployment writes one apply: a success, or (every 7th) a rollout that
// misses its deadline and is reverted; then (every 13th) a person's
// rollback or (every 17th) an incident.
func (h *history) deployment(at time.Time, step time.Duration, svc string, rev int, op int64, i int) {
	tick := func(k int) time.Time { return at.Add(time.Duration(k) * step / 10) }
	if h.noise { // dora reads neither
		h.add(tick(0), "operation.started", "", 0, op, "")
		h.add(tick(0), "service.rollout.started", svc, 0, op, "")
	}
	h.instances(tick(1), svc, rev, op)
	if i%7 == 6 {
		h.add(tick(2), "service.rollout.failed", svc, rev, op, `{"service":"`+svc+`","reason":"not ready before the progress deadline"}`)
		h.add(tick(2), "service.rollback.started", svc, 0, op, "")
		h.add(tick(3), "service.rollout.succeeded", svc, rev-1, op, "")
		return
	}
	h.add(tick(2), "service.rollout.succeeded", svc, rev, op, fmt.Sprintf(
		`{"artifact":{"path":"bin/%s","version":"v%d","digest":"sha256:%064x","commit":"%040x","commitTime":%q}}`,
		svc, rev, i, i, at.Add(-3*time.Hour).Format(time.RFC3339)))
	if h.noise {
		h.add(tick(2), "operation.succeeded", "", 0, op, "")
	}
	switch {
	case i%13 == 12:
		h.add(tick(4), "rollback.requested", svc, rev-1, op+1e6, "")
		if h.noise {
			h.add(tick(4), "service.rollout.started", svc, 0, op+1e6, "")
		}
		h.add(tick(5), "service.rollout.succeeded", svc, rev-1, op+1e6, "")
	case i%17 == 16:
		h.add(tick(4), store.EventIncidentOpened, svc, rev, 0, fmt.Sprintf(`{"id":%d,"env":"default","causedBy":%d}`, i, rev))
		h.add(tick(6), store.EventIncidentResolved, svc, rev, 0, fmt.Sprintf(`{"id":%d,"env":"default"}`, i))
	}
}

// fill opens a fresh SQLite store holding evs.
func fill(tb testing.TB, evs []store.Event) (*sqlite.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "slipway.db")
	s, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	for lo := 0; lo < len(evs); lo += 10_000 {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			for _, e := range evs[lo:min(lo+10_000, len(evs))] {
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
	return s, path
}

// measure is what GET /v1/dora does: read the events dora reads, compute.
func measure(s store.Store, q dora.Query) (dora.Report, int, error) {
	var evs []store.Event
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		evs, err = tx.ListEventsOfType(0, dora.EventTypes(), 0)
		return err
	})
	return dora.Compute(evs, q), len(evs), err
}

func benchmark(b *testing.B, noise bool) {
	s, _ := fill(b, generate(100_000, noise))
	q := dora.Query{From: start, To: start.Add(91 * 24 * time.Hour)}
	var read int
	var r dora.Report
	cpu := cpuTime()
	for b.Loop() {
		var err error
		if r, read, err = measure(s, q); err != nil {
			b.Fatal(err)
		}
	}
	// The machine may be shared: the CPU time the process spent says
	// what the work costs, whatever else runs.
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(read), "events-read")
	b.ReportMetric(float64(r.Total.Changes), "deployments")
}

// cpuTime is the CPU time this process has used (user + system, every
// thread: the garbage collector's too).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDORA100k is a realistic log: one event in six is dora's.
func BenchmarkDORA100k(b *testing.B) { benchmark(b, true) }

// BenchmarkDORA100kAllRead is the worst case: every event is dora's.
func BenchmarkDORA100kAllRead(b *testing.B) { benchmark(b, false) }

// TestQueryPlan logs SQLite's plan for the read over the realistic log,
// and checks it is one pass in seq order (the events dora reads are a
// fifth of the log, on nearly every page: one pass beats index lookups).
func TestQueryPlan(t *testing.T) {
	_, path := fill(t, generate(20_000, true))
	db, err := sql.Open("sqlite", path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	types := dora.EventTypes()
	// The query store/sqlite runs for ListEventsOfType (eventsOfTypes).
	query := `SELECT data FROM events WHERE type IN (?` + strings.Repeat(", ?", len(types)-1) + `) AND seq > ? ORDER BY seq LIMIT ?`
	args := []any{}
	for _, ty := range types {
		args = append(args, ty)
	}
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, append(args, 0, -1)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	t.Logf("EXPLAIN QUERY PLAN %s\n%s", query, strings.Join(plan, "\n"))
	if p := strings.Join(plan, "\n"); p != "SEARCH events USING INTEGER PRIMARY KEY (rowid>?)" {
		t.Errorf("the read is not one pass in seq order:\n%s", p)
	}
}

// benchmarkKept is what GET /v1/dora costs once the server keeps the
// replay (dora.Log): each read folds in the events appended since the
// last (here 10 deployments' worth: a busy day) and measures the window
// over the whole history.
func benchmarkKept(b *testing.B, noise bool) {
	s, _ := fill(b, generate(100_000, noise))
	q := dora.Query{From: start, To: start.Add(91 * 24 * time.Hour)}
	l := dora.NewLog(dora.DefaultEnvironment)
	read := func() (dora.Report, int) {
		var n int
		err := s.View(context.Background(), func(tx store.Tx) error {
			evs, err := tx.ListEventsOfType(l.Seq(), dora.EventTypes(), 0)
			l.Add(evs)
			n = len(evs)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return l.Report(q), n
	}
	read() // the first read after a start replays everything (the rows above)
	var r dora.Report
	var n int
	cpu := cpuTime()
	for b.Loop() {
		b.StopTimer()
		appendDeployments(b, s, 10)
		b.StartTimer()
		r, n = read()
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(n), "events-read")
	b.ReportMetric(float64(r.Total.Changes), "deployments")
}

// appendDeployments appends n successful rollouts of a new revision.
func appendDeployments(tb testing.TB, s store.Store, n int) {
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			e := store.Event{Time: start.Add(90 * 24 * time.Hour), Type: "service.rollout.succeeded", Service: "svc-kept",
				Revision: i + 1, Message: "a deployment"}
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

// BenchmarkDORA100kKept: the realistic log, the replay kept.
func BenchmarkDORA100kKept(b *testing.B) { benchmarkKept(b, true) }

// BenchmarkDORA100kAllReadKept: the worst case, the replay kept.
func BenchmarkDORA100kAllReadKept(b *testing.B) { benchmarkKept(b, false) }
