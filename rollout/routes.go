package rollout

import (
	"net"
	"net/http"
	"strconv"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// Routed is a service as Routes sees it: its record, and the route its
// target revision (Service.Revision) declares.
type Routed struct {
	Service store.Service
	Route   spec.Route
	// Wake marks a service that may be scaled to zero (scale.min 0):
	// with no instance, the router holds a request and wakes it.
	Wake bool
	// H2C says, by revision, whether its instances speak h2c (their
	// revision's route.protocol): a service moving to h2c or back runs
	// both while it rolls out. A revision not in it speaks as Route says.
	H2C map[int]bool
}

// Routes is the traffic split policy: the router's table for services
// and every instance of the environment. A service gets a route when it
// has a target revision whose spec declares a host or path; its backends
// are its Running and Ready instances (a leaving one is Stopping or not
// ready, so it is out), of any revision, and Traffic says how they share
// the requests (see split). Pure: the server reads the store and
// publishes what Routes returns.
func Routes(services []Routed, instances []store.Instance) []router.Route {
	byService := map[string][]store.Instance{}
	for _, in := range instances {
		byService[in.Service] = append(byService[in.Service], in)
	}
	var out []router.Route
	for _, s := range services {
		if r, ok := route(s, byService[s.Service.Name]); ok {
			out = append(out, r)
		}
	}
	return out
}

// route is one service's entry: false when the service has no route.
func route(s Routed, instances []store.Instance) (router.Route, bool) {
	rs := s.Route
	if s.Service.Revision == 0 || (!rs.HasHost() && rs.Path == "") {
		return router.Route{}, false
	}
	r := router.Route{Service: s.Service.Name, Host: rs.Host, Hosts: rs.Hosts, Path: rs.Path,
		Timeout: rs.Timeout.Duration, MaxBody: int64(rs.MaxBody), MaxConcurrency: rs.MaxConcurrency, TLS: routeTLS(rs), Wake: s.Wake}
	split(&r, s.Service.Traffic)
	for _, in := range instances {
		if InRotation(in) {
			h2c, ok := s.H2C[in.Revision]
			if !ok {
				h2c = rs.H2C()
			}
			r.Backends = append(r.Backends, router.Backend{ID: in.ID, Revision: in.Revision,
				Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(in.Port)), H2C: h2c})
		}
	}
	return r, true
}

// InRotation reports whether an instance may take requests: it runs,
// passed its readiness check, and is not leaving.
func InRotation(in store.Instance) bool {
	return in.State == store.InstanceRunning && in.Ready
}

// split sets how a route divides traffic between revisions: all on the
// active one (blue/green), a canary's weight beside it, a header that
// reaches the preview or canary revision, stickiness, and a revision
// that gets copies of requests (a parallel run: the router keeps its
// backends out of the user pool).
func split(r *router.Route, t store.Traffic) {
	if t.Active == 0 {
		return // rolling: every ready instance shares the traffic
	}
	r.Weights = map[int]int{t.Active: 100}
	switch {
	case t.Preview != 0 && t.PreviewHeader != "":
		r.Preview = &router.Preview{Header: http.CanonicalHeaderKey(t.PreviewHeader), Key: t.PreviewSecret, Revision: t.Preview}
	case t.Canary != 0 && t.CanaryHeader != "":
		value := t.CanaryValue
		if value == "" {
			value = "*"
		}
		r.Pin = &router.Pin{Header: t.CanaryHeader, Revisions: map[string]int{value: t.Canary}}
	}
	if t.Canary != 0 && t.Canary != t.Active {
		r.Weights = map[int]int{t.Active: 100 - t.Weight, t.Canary: t.Weight}
	}
	if s := t.Sticky; s != nil {
		r.Sticky = &router.Sticky{Cookie: s.Cookie, Header: s.Header}
	}
	if t.Mirror != 0 {
		r.Mirror = &router.Mirror{Revision: t.Mirror, Percent: t.MirrorPercent, Unsafe: t.MirrorUnsafe}
	}
}

// routeTLS is the route's own TLS material, or nil.
func routeTLS(rs spec.Route) *router.RouteTLS {
	if rs.Certificate == nil && rs.ClientCA == "" {
		return nil
	}
	t := &router.RouteTLS{ClientCAFile: rs.ClientCA}
	if c := rs.Certificate; c != nil {
		t.CertFile, t.KeyFile = c.Cert, c.Key
	}
	return t
}
