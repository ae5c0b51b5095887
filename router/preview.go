package router

import (
	"crypto/subtle"
	"net/http"
)

// PreviewHeader is the blue/green preview's default header. The router
// strips it from every request, so that no instance ever sees a preview
// secret, whatever route the request takes.
const PreviewHeader = "X-Slipway-Preview"

// Preview makes an unreleased revision reachable to those who know its
// secret: a request whose Header carries exactly Key (compared in
// constant time) goes to Revision; any other value, "false" included,
// is ignored. The header is removed before the request is forwarded.
type Preview struct {
	Header   string // canonical form, e.g. X-Slipway-Preview
	Key      string // the revision's secret; empty: nobody reaches it
	Revision int
}

// previewed returns the route req is to take: r's preview route when req
// carries the preview's secret, r otherwise. It removes the preview
// header from req either way. The preview route is built with the table
// (build), so choosing it allocates nothing.
func previewed(r *route, req *http.Request) *route {
	var got []string
	if p := r.Preview; p != nil {
		got = req.Header[p.Header]
		if got != nil {
			delete(req.Header, p.Header)
		}
	}
	if _, ok := req.Header[PreviewHeader]; ok {
		delete(req.Header, PreviewHeader)
	}
	if r.preview == nil || len(got) != 1 || !secretEqual(got[0], r.Preview.Key) {
		return r
	}
	return r.preview
}

// current returns the current table's version of route r for req, or
// nil: for a request that waited (wake.go, limit.go) or whose instances
// all left (tryInstances), the table may have changed. It is r's preview
// route when r is one: previewed, which strips the current route's
// preview header too, cannot see the header that chose it any more.
func (rt *Router) current(r *route, req *http.Request) *route {
	nr := rt.table.Load().match(req.Host, req.URL.Path)
	if nr == nil {
		return nil
	}
	chosen := previewed(nr, req)
	if r.isPreview {
		return nr.preview
	}
	return chosen
}

// secretEqual compares a value with a secret in constant time (for
// values of the secret's length); an empty secret matches nothing.
func secretEqual(v, secret string) bool {
	return secret != "" && subtle.ConstantTimeCompare([]byte(v), []byte(secret)) == 1
}

// buildPreview is the route a preview's requests take: r's settings,
// every request on the preview revision, no other split, pin, mirror
// or stickiness. rt.mu is held.
func (rt *Router) buildPreview(r *route) *route {
	p := r.Preview
	if p == nil || p.Key == "" || len(r.byRev[p.Revision]) == 0 {
		return nil
	}
	pr := &route{Route: r.Route, path: r.path, byRev: map[int][]*backend{p.Revision: r.byRev[p.Revision]}, isPreview: true}
	pr.Weights, pr.Pin, pr.Sticky, pr.Mirror, pr.Preview = map[int]int{p.Revision: 100}, nil, nil, nil, nil
	pr.backends = r.byRev[p.Revision]
	pr.revs, pr.cumul, pr.total = []int{p.Revision}, []int{100}, 100
	pr.proxy = rt.newProxy(pr)
	return pr
}
