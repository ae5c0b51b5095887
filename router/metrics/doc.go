// Package metrics records the router's requests: it is a router.Observer
// that keeps, per service, revision and instance, what Prometheus scrapes
// (Handler) and, per service and revision, a sliding window of recent
// seconds that the canary analysis reads (Window, Buckets, Samples).
//
// # Cost on the request path
//
// Observe runs once per proxied request, so it takes no lock in the
// steady state: the series of a (service, revision, instance) is found in
// a copy-on-write map read through an atomic pointer (a new series copies
// the map under a mutex, once), and counts are atomic adds into
// pre-resolved Prometheus children and into the current slot of a ring of
// time buckets. A ring slot is reset under the ring's mutex once per
// bucket (one request a second pays for it).
//
// # Windows
//
// Time is cut into buckets (Options.Bucket, 1s by default) numbered from
// the Unix epoch; Options.Window (5m) of them are kept. A query covers
// whole, finished buckets only: the last d ends at the start of the
// current bucket, so two queries within one bucket agree, and the answer
// lags by at most one bucket.
//
// Latency is counted per bucket in fixed log-linear bins (8 per power of
// two, in units of 1.024µs, up to ~68.7s), which merge by addition. A
// quantile is the midpoint of the bin holding the exact nearest-rank
// quantile, so it is within 1/16 (6.25%) of the true sample quantile, or
// within 0.512µs below 16µs. Durations over ~68.7s count as ~68.7s.
//
// Memory: each (service, revision) holds a ring of Window/Bucket+1 slots
// of ~800 bytes (about 240 KB at the defaults); ForgetRevision drops it.
package metrics
