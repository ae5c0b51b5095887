// Package prometheus is the analysis.Provider for the "prometheus" metric
// provider: it runs a release's PromQL query over Prometheus's HTTP API.
//
// A single measurement is an instant query at now that must come back as a
// scalar or a vector of at most one sample (wrap a per-series query in
// sum(...) or similar). An empty vector, or a NaN value such as 0/0 with no
// traffic, is no data (Count 0), not an error. A comparison runs the query
// as a range query over the last Window, once for the canary and once for
// the baseline (the same template with the revisions swapped), and returns
// each side's points as samples.
//
// Everything that stops a value being read is an error: Prometheus down or
// slow past the timeout, a query Prometheus rejects (its own message and the
// expanded query are in the error), or a result of the wrong shape.
package prometheus
