package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router"
)

// BenchmarkObserve measures the request path with the real clock, once
// the series exist: one instance, then (parallel, run with -cpu 1,2)
// goroutines sharing one instance or spread over eight instances of two
// revisions.
func BenchmarkObserve(b *testing.B) {
	samples := make([]router.Sample, 8)
	for i := range samples {
		samples[i] = router.Sample{Service: "shop", Revision: 1 + i%2, Instance: fmt.Sprintf("shop-%d", i), Status: 200, Duration: 3 * time.Millisecond}
	}
	b.Run("serial", func(b *testing.B) {
		m := New(Options{})
		m.Observe(samples[0])
		b.ReportAllocs()
		for b.Loop() {
			m.Observe(samples[0])
		}
	})
	// A config delivery watches some instances (Watch): every request
	// then looks its instance up, and a watched one's also counts in
	// its own window.
	b.Run("serial-others-watched", func(b *testing.B) {
		m := New(Options{})
		m.Watch([]string{samples[1].Instance, samples[2].Instance}, time.Hour)
		m.Observe(samples[0])
		b.ReportAllocs()
		for b.Loop() {
			m.Observe(samples[0])
		}
	})
	b.Run("serial-watched", func(b *testing.B) {
		m := New(Options{})
		m.Watch([]string{samples[0].Instance}, time.Hour)
		m.Observe(samples[0])
		b.ReportAllocs()
		for b.Loop() {
			m.Observe(samples[0])
		}
	})
	b.Run("parallel-one-instance", func(b *testing.B) {
		m := New(Options{})
		m.Observe(samples[0])
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Observe(samples[0])
			}
		})
	})
	b.Run("parallel-8-instances", func(b *testing.B) {
		m := New(Options{})
		for _, s := range samples {
			m.Observe(s)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				m.Observe(samples[i%len(samples)])
				i++
			}
		})
	})
}

// BenchmarkWindow measures a judge's query over a full 5m window.
func BenchmarkWindow(b *testing.B) {
	m := New(Options{})
	for i := range 1000 {
		m.Observe(router.Sample{Service: "shop", Revision: 1, Instance: "a", Status: 200, Duration: time.Duration(i) * time.Millisecond})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Window("shop", 1, 5*time.Minute)
	}
}
