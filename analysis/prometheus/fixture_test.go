package prometheus_test

import (
	"net/http/httptest"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/slipway-dev/slipway/internal/promtest"
)

// requests are the counts the fixture's target serves, shaped like the
// router's slipway_router_requests_total: revision 1 (the baseline) fails
// 10% of its requests, revision 2 (the canary) half of them.
var requests = []struct {
	revision, instance, codeClass string
	count                         float64
}{
	{"1", "a", "2xx", 90},
	{"1", "a", "5xx", 10},
	{"2", "b", "2xx", 50},
	{"2", "b", "5xx", 50},
}

// errorRate is the spec-style query the tests measure: one revision's
// share of 5xx answers.
const errorRate = `sum(slipway_router_requests_total{service="{{service}}",revision="{{canary}}",code_class="5xx"})` +
	` / sum(slipway_router_requests_total{service="{{service}}",revision="{{canary}}"})`

// startScraped serves the counters over HTTP, starts a real Prometheus
// scraping them and waits for the first scrape. It returns Prometheus's
// URL and a time from which on every series has a value.
func startScraped(t *testing.T) (string, time.Time) {
	t.Helper()
	reg := prom.NewRegistry()
	c := prom.NewCounterVec(prom.CounterOpts{
		Name: "slipway_router_requests_total",
		Help: "Requests routed, by revision and status class.",
	}, []string{"service", "revision", "instance", "code_class"})
	reg.MustRegister(c)
	for _, r := range requests {
		c.WithLabelValues("shop", r.revision, r.instance, r.codeClass).Add(r.count)
	}
	target := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(target.Close)

	p := promtest.Start(t, target.URL)
	p.WaitForSeries(t, `slipway_router_requests_total`, 30*time.Second)
	// The series are in from here on: all were scraped at once, and
	// Prometheus answers a later instant with the latest sample.
	return p.URL, time.Now()
}
