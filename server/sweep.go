package server

import (
	"context"
	"errors"
	"time"

	"github.com/slipway-dev/slipway/store"
	"github.com/slipway-dev/slipway/workload"
)

// sweepEvery is how many resync ticks pass between two sweeps.
const sweepEvery = 10

// sweep looks at everything the driver runs (which also rotates oversized
// logs) and ends instances no record accounts for: ones whose record was
// lost, e.g. data restored from an older backup. Such an instance is
// stopped and its files removed; the records' instances are left to the
// controllers.
func sweep(ctx context.Context, p *parts) error {
	sts, err := p.driver.Observe(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	err = p.store.View(ctx, func(tx store.Tx) error {
		ins, err := tx.ListInstances("")
		for _, in := range ins {
			known[in.ID] = true
		}
		if err != nil {
			return err
		}
		svcs, err := tx.ListServices()
		for _, svc := range svcs {
			for _, r := range svc.Jobs { // a job's run keeps its files for its output
				known[r.Instance] = true
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, st := range sts {
		if known[st.ID] {
			continue
		}
		if err := endOrphan(ctx, p.driver, st); err != nil {
			return err
		}
	}
	return nil
}

func endOrphan(ctx context.Context, d workload.Driver, st workload.Status) error {
	if st.Running {
		if err := d.Stop(ctx, st.ID, 10*time.Second); err != nil && !errors.Is(err, workload.ErrNotFound) {
			return err
		}
	}
	if err := d.Remove(ctx, st.ID); err != nil && !errors.Is(err, workload.ErrNotFound) {
		return err
	}
	return nil
}
