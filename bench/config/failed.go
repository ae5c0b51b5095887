package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/bench/internal/benchkit"
	"github.com/slipway-dev/slipway/internal/loadgen"
	"github.com/slipway-dev/slipway/store"
)

// failingAnalysis is a first step judged by an analysis that fails at
// its first judgement: a success rate is never above 1, so the first
// measurement with data (the router's, of the instances on the new
// version, under the load generator's traffic) fails it.
const failingAnalysis = firstStep + `, analysis: {interval: 1s, metrics: [{name: never, provider: router, metric: successRate, successCondition: "result > 1"}]}`

// traffic runs the load generator through the router at the service
// until the returned function is called, which reports what it sent.
func (b *bench) traffic(ctx context.Context, progress io.Writer) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var res loadgen.Result
	wg.Go(func() {
		res = loadgen.Run(ctx, loadgen.Config{URL: "http://" + b.srv.RouterAddr + "/", Host: "web.localhost",
			Workers: 4, Interval: 5 * time.Millisecond})
	})
	return func() {
		cancel()
		wg.Wait()
		fmt.Fprintf(progress, "load through the router: %s\n", res)
	}
}

// analysisFailure sets a new version and times from the moment its
// analysis failed to every instance answering with the previous version
// again. The moment is the time of the delivery's rolled-back event: the
// controller stamps it with the pass that took the failing measurement,
// before it writes the previous version back.
func (b *bench) analysisFailure(set func(context.Context) (int, time.Time, error)) func(context.Context, string) (time.Duration, error) {
	return func(ctx context.Context, name string) (time.Duration, error) {
		prev, err := b.effective(ctx)
		if err != nil {
			return 0, err
		}
		next, _, err := set(ctx)
		if err != nil {
			return 0, err
		}
		// Until an instance has the new version, every instance is on
		// the previous one for want of a step, not of a rollback; the
		// rollback comes at least one controller pass after an instance
		// reports the version.
		_, err = benchkit.Poll(ctx, fmt.Sprintf("%s: an instance on v%d", name, next), time.Minute, 5*time.Millisecond,
			func(ctx context.Context) (bool, string, error) {
				on, of, err := b.countOn(ctx, next)
				return on > 0, fmt.Sprintf("%d of %d on v%d", on, of, next), err
			})
		if err != nil {
			return 0, err
		}
		back, err := b.pollAllOn(ctx, name, prev)
		if err != nil {
			return 0, err
		}
		failed, err := b.rolledBack(ctx, next, prev)
		if err != nil {
			return 0, err
		}
		return back.Sub(failed), nil
	}
}

// rolledBack waits for the event of version's delivery rolled back by
// its analysis to prev, and returns its time.
func (b *bench) rolledBack(ctx context.Context, version, prev int) (time.Time, error) {
	var at time.Time
	_, err := benchkit.Poll(ctx, fmt.Sprintf("the event of v%d rolled back", version), 30*time.Second, 20*time.Millisecond,
		func(ctx context.Context) (bool, string, error) {
			evs, err := b.srv.Client.Events(ctx, b.seq, "web", 0)
			if err != nil {
				return false, "", err
			}
			for _, e := range evs {
				b.seq = max(b.seq, e.Seq)
				if e.Type != string(store.EventConfigDeliveryRolledBack) {
					continue
				}
				var d store.ConfigData
				if err := json.Unmarshal(e.Data, &d); err != nil {
					return false, "", fmt.Errorf("event %d: %w", e.Seq, err)
				}
				if d.Name != "settings" || d.Version != version {
					continue
				}
				if !strings.Contains(e.Message, "analysis failed") || d.Previous != prev {
					return false, "", fmt.Errorf("v%d rolled back, but not by its analysis to v%d: %s", version, prev, e.Message)
				}
				at = e.Time
				return true, "", nil
			}
			return false, "no such event yet", nil
		})
	return at, err
}
