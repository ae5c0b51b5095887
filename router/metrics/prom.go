package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Status code classes, the code_class label.
const numClasses = 5

var classNames = [numClasses]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// classOf returns status's class; a status out of 100..599 counts with
// the nearest class (a backend's 600+ is an error, like a 5xx).
func classOf(status int) int {
	return max(0, min(status/100-1, numClasses-1))
}

// DurationBuckets are the upper bounds (seconds) of the
// slipway_router_request_duration_seconds histogram.
var DurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// prom is the Prometheus side: a registry of its own with the request
// counters, the duration histogram, in-flight, Go and process collectors.
type prom struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newProm(m *Metrics) *prom {
	p := &prom{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "slipway_router_requests_total",
			Help: "Requests answered by an instance, by status code class.",
		}, []string{"service", "revision", "instance", "code_class"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "slipway_router_request_duration_seconds",
			Help:    "Time from sending a request to an instance to its response headers.",
			Buckets: DurationBuckets,
		}, []string{"service", "revision"}),
	}
	p.reg.MustRegister(p.requests, p.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if m.opts.InFlight != nil {
		p.reg.MustRegister(&inFlight{m: m, source: m.opts.InFlight})
	}
	return p
}

// Registry returns the registry Handler serves, for the caller to add
// collectors of its own or to gather in tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.prom.reg }

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.prom.reg, promhttp.HandlerOpts{})
}

var inFlightDesc = prometheus.NewDesc("slipway_router_in_flight",
	"Requests an instance is serving now. Service and revision are empty for an instance not seen in a sample yet.",
	[]string{"service", "revision", "instance"}, nil)

// inFlight reads Options.InFlight at scrape time.
type inFlight struct {
	m      *Metrics
	source func() map[string]int64
}

func (c *inFlight) Describe(ch chan<- *prometheus.Desc) { ch <- inFlightDesc }

func (c *inFlight) Collect(ch chan<- prometheus.Metric) {
	ix := c.m.index.Load()
	for id, n := range c.source() {
		service, revision := "", ""
		if rk, ok := ix.instances[id]; ok {
			service, revision = rk.service, strconv.Itoa(rk.revision)
		}
		ch <- prometheus.MustNewConstMetric(inFlightDesc, prometheus.GaugeValue, float64(n), service, revision, id)
	}
}
