// Package promtest runs a real Prometheus for tests: Debian's prometheus
// binary, on a free loopback port, scraping the test's own HTTP servers
// every second, with its storage in the test's temporary directory.
//
// It is a test helper shared by several packages' tests, so it is an
// ordinary package rather than a _test.go file; only tests import it.
//
//	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//	prom := promtest.Start(t, srv.Listener.Addr().String())
//	prom.WaitForSeries(t, `my_requests_total`, 30*time.Second)
//	// query prom.URL ...
//
// Prometheus is ready in well under a second, but applies its targets on a
// five-second tick (Debian's 2.42 has no way to shorten it), so the first
// scrape lands about five seconds after Start: wait for it with
// WaitForSeries, never a sleep, and share one server among a test's cases.
//
// Without the binary, Start skips the test, saying how to install it; with
// SLIPWAY_CI=1 set (as .ci/run does) it fails instead, so that CI never
// passes by skipping.
package promtest
