package metrics

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router"
)

// Many goroutines observe while others scrape, query windows, forget
// instances and move the clock; run with -race. Every sample of an
// instance never forgotten is counted, in Prometheus and in the window.
func TestConcurrentObserveScrape(t *testing.T) {
	const workers, perWorker = 8, 2000
	m, clk := newTestMetrics(Options{InFlight: func() map[string]int64 { return map[string]int64{"kept-0": 1} }})
	var observers, others sync.WaitGroup
	stop := make(chan struct{})
	for w := range workers {
		observers.Go(func() {
			for i := range perWorker {
				m.Observe(router.Sample{Service: "svc", Revision: 1, Instance: fmt.Sprintf("kept-%d", w%4), Status: 200 + 300*(i%2), Duration: time.Duration(i) * time.Microsecond})
				m.Observe(router.Sample{Service: "svc", Revision: 2, Instance: fmt.Sprintf("gone-%d", i%16), Status: 200})
			}
		})
	}
	loop := func(f func()) {
		others.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					f()
				}
			}
		})
	}
	loop(func() {
		if _, err := m.Registry().Gather(); err != nil {
			t.Error(err) // not Fatal: this is not the test's goroutine
		}
	})
	loop(func() { _ = m.Window("svc", 1, time.Minute); _ = m.Samples("svc", 1, time.Minute, P99) })
	forgets := 0
	loop(func() { forgets++; m.Forget(fmt.Sprintf("gone-%d", forgets%16)) })
	loop(func() { clk.Advance(10 * time.Millisecond); time.Sleep(time.Millisecond) })
	observers.Wait()
	close(stop)
	others.Wait()

	var total float64
	for k, s := range family(scrape(t, m), "slipway_router_requests_total") {
		if strings.Contains(k, "instance=kept-") {
			total += s.GetCounter().GetValue()
		}
	}
	if total != workers*perWorker {
		t.Errorf("requests_total of kept instances = %v, want %d", total, workers*perWorker)
	}
	clk.Advance(time.Second)
	s := m.Window("svc", 1, 5*time.Minute)
	if s.Requests != workers*perWorker || s.Errors != workers*perWorker/2 {
		t.Errorf("window: %d requests %d errors, want %d, %d", s.Requests, s.Errors, workers*perWorker, workers*perWorker/2)
	}
}
