package rollout

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/router"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// ready is a Running, Ready instance of a revision of service "web".
func ready(id string, rev, port int) store.Instance {
	return store.Instance{ID: id, Service: "web", Revision: rev, Port: port, State: store.InstanceRunning, Ready: true}
}

func backend(id string, rev, port int) router.Backend {
	return router.Backend{ID: id, Revision: rev, Addr: "127.0.0.1:" + strconv.Itoa(port)}
}

func web(rev int, t store.Traffic) Routed {
	return Routed{
		Service: store.Service{Name: "web", Revision: rev, Traffic: t},
		Route:   spec.Route{Host: "shop.test", Path: "/web", Timeout: spec.Duration{Duration: 5 * time.Second}, MaxBody: 1024},
	}
}

// webRoute is web's route with the given backends and split.
func webRoute(backends []router.Backend, with func(r *router.Route)) router.Route {
	r := router.Route{Service: "web", Host: "shop.test", Path: "/web", Timeout: 5 * time.Second, MaxBody: 1024, Backends: backends}
	if with != nil {
		with(&r)
	}
	return r
}

func TestRoutes(t *testing.T) {
	stopping := ready("web-3", 2, 1003)
	stopping.State = store.InstanceStopping
	unready := ready("web-4", 2, 1004)
	unready.Ready = false
	pending := ready("web-5", 2, 1005)
	pending.State = store.InstancePending
	backoff := ready("web-6", 2, 1006)
	backoff.State = store.InstanceBackoff
	removed := web(1, store.Traffic{})
	removed.Service.Removed = true
	cases := []struct {
		name      string
		services  []Routed
		instances []store.Instance
		want      []router.Route
	}{{
		name:      "rolling: old and new ready instances share the traffic",
		services:  []Routed{web(2, store.Traffic{})},
		instances: []store.Instance{ready("web-1", 1, 1001), ready("web-2", 2, 1002)},
		want:      []router.Route{webRoute([]router.Backend{backend("web-1", 1, 1001), backend("web-2", 2, 1002)}, nil)},
	}, {
		name:      "leaving, not ready and not running instances are out",
		services:  []Routed{web(2, store.Traffic{})},
		instances: []store.Instance{ready("web-1", 1, 1001), stopping, unready, pending, backoff},
		want:      []router.Route{webRoute([]router.Backend{backend("web-1", 1, 1001)}, nil)},
	}, {
		name:      "no instance in rotation: the route stays, empty",
		services:  []Routed{web(2, store.Traffic{})},
		instances: []store.Instance{stopping},
		want:      []router.Route{webRoute(nil, nil)},
	}, {
		name:      "blue/green: all on the active revision, the preview reached with its secret",
		services:  []Routed{web(2, store.Traffic{Active: 1, Preview: 2, PreviewHeader: "x-preview", PreviewSecret: "k"})},
		instances: []store.Instance{ready("web-1", 1, 1001), ready("web-2", 2, 1002)},
		want: []router.Route{webRoute([]router.Backend{backend("web-1", 1, 1001), backend("web-2", 2, 1002)}, func(r *router.Route) {
			r.Weights = map[int]int{1: 100}
			r.Preview = &router.Preview{Header: "X-Preview", Key: "k", Revision: 2}
		})},
	}, {
		name:      "blue/green promoted: the new revision active, no preview",
		services:  []Routed{web(2, store.Traffic{Active: 2})},
		instances: []store.Instance{ready("web-2", 2, 1002)},
		want: []router.Route{webRoute([]router.Backend{backend("web-2", 2, 1002)}, func(r *router.Route) {
			r.Weights = map[int]int{2: 100}
		})},
	}, {
		name: "canary: its weight beside the active revision, a header value pins it, sticky",
		services: []Routed{web(2, store.Traffic{Active: 1, Canary: 2, Weight: 20, CanaryHeader: "X-Canary", CanaryValue: "yes",
			Sticky: &spec.Stickiness{Cookie: "side", Header: "X-User"}})},
		instances: []store.Instance{ready("web-1", 1, 1001), ready("web-2", 2, 1002)},
		want: []router.Route{webRoute([]router.Backend{backend("web-1", 1, 1001), backend("web-2", 2, 1002)}, func(r *router.Route) {
			r.Weights = map[int]int{1: 80, 2: 20}
			r.Pin = &router.Pin{Header: "X-Canary", Revisions: map[string]int{"yes": 2}}
			r.Sticky = &router.Sticky{Cookie: "side", Header: "X-User"}
		})},
	}, {
		name:      "canary header without a value: any value pins it",
		services:  []Routed{web(2, store.Traffic{Active: 1, Canary: 2, Weight: 0, CanaryHeader: "X-Canary"})},
		instances: []store.Instance{ready("web-1", 1, 1001)},
		want: []router.Route{webRoute([]router.Backend{backend("web-1", 1, 1001)}, func(r *router.Route) {
			r.Weights = map[int]int{1: 100, 2: 0}
			r.Pin = &router.Pin{Header: "X-Canary", Revisions: map[string]int{"*": 2}}
		})},
	}, {
		name:      "canary on the active revision itself: no split",
		services:  []Routed{web(2, store.Traffic{Active: 2, Canary: 2, Weight: 100})},
		instances: []store.Instance{ready("web-2", 2, 1002)},
		want: []router.Route{webRoute([]router.Backend{backend("web-2", 2, 1002)}, func(r *router.Route) {
			r.Weights = map[int]int{2: 100}
		})},
	}, {
		name:      "parallel run: stable answers, the candidate is in the table only to get copies",
		services:  []Routed{web(2, store.Traffic{Active: 1, Mirror: 2, MirrorPercent: 50, MirrorUnsafe: true})},
		instances: []store.Instance{ready("web-1", 1, 1001), ready("web-2", 2, 1002)},
		want: []router.Route{webRoute([]router.Backend{backend("web-1", 1, 1001), backend("web-2", 2, 1002)}, func(r *router.Route) {
			r.Weights = map[int]int{1: 100}
			r.Mirror = &router.Mirror{Revision: 2, Percent: 50, Unsafe: true}
		})},
	}, {
		name:      "a removed service keeps its route until its instances leave",
		services:  []Routed{removed},
		instances: []store.Instance{ready("web-1", 1, 1001), stopping},
		want:      []router.Route{webRoute([]router.Backend{backend("web-1", 1, 1001)}, nil)},
	}, {
		name:      "a service with no target revision has no route",
		services:  []Routed{web(0, store.Traffic{})},
		instances: []store.Instance{ready("web-1", 1, 1001)},
	}, {
		name:      "a service whose revision declares no route has none",
		services:  []Routed{{Service: store.Service{Name: "web", Revision: 1}}},
		instances: []store.Instance{ready("web-1", 1, 1001)},
	}, {
		name:      "instances of a service that has no record route nowhere",
		instances: []store.Instance{ready("web-1", 1, 1001)},
	}, {
		name: "each service gets its own instances, in the services' order",
		services: []Routed{web(1, store.Traffic{}),
			{Service: store.Service{Name: "api", Revision: 3}, Route: spec.Route{Path: "/api"}}},
		instances: []store.Instance{{ID: "api-1", Service: "api", Revision: 3, Port: 2001, State: store.InstanceRunning, Ready: true},
			ready("web-1", 1, 1001)},
		want: []router.Route{
			webRoute([]router.Backend{backend("web-1", 1, 1001)}, nil),
			{Service: "api", Path: "/api", Backends: []router.Backend{backend("api-1", 3, 2001)}},
		},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Routes(c.services, c.instances)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Routes:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestRoutesH2C: each instance is reached in its revision's protocol: a
// service moving to h2c runs revision 1 over HTTP/1.1 and revision 2
// over h2c until it is done.
func TestRoutesH2C(t *testing.T) {
	h2c := func(b router.Backend) router.Backend { b.H2C = true; return b }
	to := web(2, store.Traffic{})
	to.Route.Protocol = spec.ProtocolH2C
	moving := to
	moving.H2C = map[int]bool{1: false, 2: true}
	ins := []store.Instance{ready("web-1", 1, 1001), ready("web-2", 2, 1002)}
	for _, tc := range []struct {
		name    string
		service Routed
		want    []router.Backend
	}{
		{"every instance as the target says when nothing else is known", to,
			[]router.Backend{h2c(backend("web-1", 1, 1001)), h2c(backend("web-2", 2, 1002))}},
		{"each revision as its own spec says", moving,
			[]router.Backend{backend("web-1", 1, 1001), h2c(backend("web-2", 2, 1002))}},
	} {
		got := Routes([]Routed{tc.service}, ins)
		if want := []router.Route{webRoute(tc.want, nil)}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tc.name, got, want)
		}
	}
}
