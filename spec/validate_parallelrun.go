package spec

import (
	"strconv"

	"github.com/slipway-dev/slipway/mirror"
)

// parallelRun checks a parallel run strategy.
func (v *validator) parallelRun(path string, p *ParallelRun) {
	if p == nil {
		return
	}
	if n := p.MirrorPercent; n != nil && (*n < 0 || *n > 100) {
		v.addf(path+".mirrorPercent", "must be 0..100, got %d", *n)
	}
	if r := p.MaxMismatchRate; r < 0 || r > 1 || (r == 0 && v.set(path+".maxMismatchRate")) {
		v.addf(path+".maxMismatchRate", "must be in (0, 1], like 0.01 for 1%% of compared requests; got %g", r)
	}
	v.positive(path+".duration", p.Duration)
	v.threshold(path+".minRequests", p.MinRequests)
	v.nonNegative(path+".progressDeadline", p.ProgressDeadline)
	v.compare(path+".compare", p.Compare)
}

// compare checks the header names and JSON paths of a comparison.
func (v *validator) compare(path string, c ParallelCompare) {
	for i, h := range c.Headers {
		if h != "*" && !validHeaderName(h) {
			v.addf(path+".headers["+strconv.Itoa(i)+"]", "invalid header name %q: letters, digits and - only, or * for every header", h)
		}
	}
	for i, h := range c.IgnoreHeaders {
		if !validHeaderName(h) {
			v.addf(path+".ignoreHeaders["+strconv.Itoa(i)+"]", "invalid header name %q: letters, digits and - only", h)
		}
	}
	for i, p := range c.IgnoreJSONPaths {
		if err := mirror.CheckPath(p); err != nil {
			v.addf(path+".ignoreJsonPaths["+strconv.Itoa(i)+"]", "invalid path %q: %v", p, err)
		}
	}
}

// parallelRunRoute reports a parallel run of a service the router does
// not reach: nothing would be mirrored, so the run could never pass.
func (v *validator) parallelRunRoute(path, name string, s *Service) {
	if s.Strategy.ParallelRun != nil && !s.Route.HasHost() && s.Route.Path == "" {
		v.addf(path+".strategy.parallelRun", "needs a route: the router copies the service's requests to the candidate; add route: {path: /%s} or a host", name)
	}
}
