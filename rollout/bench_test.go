package rollout

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/queue"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/store/sqlite"
	"github.com/slipway-dev/slipway/workload"
)

// BenchmarkReconcilePass measures one steady-state pass over 1,000
// services of 3 instances each (a fake driver; the real store), which is
// what the server's resync does every second.
//
// "read" re-reads every service from the store each pass (what a pass
// costs after something changed); "steady" wraps the store in the
// server's store.Notifier, so that a pass with no commit since the last
// reads nothing.
func BenchmarkReconcilePass(b *testing.B) {
	b.Run("memory/read", func(b *testing.B) { benchPass(b, store.NewMemory()) })
	b.Run("memory/steady", func(b *testing.B) { benchPass(b, store.NewNotifier(store.NewMemory())) })
	b.Run("sqlite/read", func(b *testing.B) { benchPass(b, openSQLite(b)) })
	b.Run("sqlite/steady", func(b *testing.B) { benchPass(b, store.NewNotifier(openSQLite(b))) })
}

func openSQLite(b *testing.B) store.Store {
	db, err := sqlite.Open(filepath.Join(b.TempDir(), "slipway.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func benchPass(b *testing.B, s store.Store) {
	const services, perService = 1000, 3
	h := &harness{t: &testing.T{}, store: s, driver: newFakeDriver(), clock: newHarness(&testing.T{}).clock, due: map[queue.Key]time.Time{}}
	h.restartControllers()
	names := seed(b, h, services, perService)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		for _, name := range names {
			if _, err := h.ctl.Reconcile(ctx, name); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/pass")
}

// seed stores converged services with running, ready instances.
func seed(b *testing.B, h *harness, services, perService int) []string {
	sp, err := spec.Parse("bench.yaml", []byte("app: bench\nservices:\n  s:\n    run: [./s]\n    health: {readiness: {http: /}}\n"))
	if err != nil {
		b.Fatal(err)
	}
	now := h.clock.Now()
	var names []string
	err = h.store.Update(context.Background(), func(tx store.Tx) error {
		for i := range services {
			name := fmt.Sprintf("svc-%04d", i)
			names = append(names, name)
			svc := *sp.Services["s"].Clone()
			svc.Name, svc.Instances = name, &perService
			if _, err := tx.CreateRevision(store.Revision{Service: name, Spec: svc, State: store.RevisionStable, CreatedAt: now}); err != nil {
				return err
			}
			if err := tx.PutService(store.Service{Name: name, Revision: 1, Stable: 1, Phase: store.PhaseReady}); err != nil {
				return err
			}
			for j := range perService {
				id := fmt.Sprintf("%s-1-%d", name, j)
				st, _ := h.driver.Start(context.Background(), workload.InstanceSpec{ID: id})
				in := store.Instance{ID: id, Service: name, Revision: 1, Port: 20000 + j, State: store.InstanceRunning,
					PID: st.PID, StartTime: st.StartTime, Ready: true, ReadySince: now, CreatedAt: now, StartedAt: now}
				if err := tx.PutInstance(in); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return names
}
