package spec

import (
	"fmt"
	"strings"
)

// wildcardTLS reports the wildcard route hosts an environment would not
// serve over TLS: its tls: section obtains certificates over ACME, which
// validates a wildcard (*.shop.example) only over DNS-01, and neither
// acme.dns nor the route's own certificate gives one. The edge would
// only log such a host at run time (router/edge); refusing it here says
// so at apply, with the host's line. tlsPath is the environment's tls:
// section (tls, or environments.NAME.tls), for what to add. add gets
// each problem's field path and message.
func wildcardTLS(tlsPath string, t *TLS, services map[string]*Service, add func(path, msg string)) {
	if t == nil || t.ACME == nil || t.ACME.DNS != nil {
		return
	}
	for _, name := range sortedNames(services) {
		s := services[name]
		if s == nil || s.Route.Certificate != nil {
			continue
		}
		for _, h := range wildcardHosts("services."+name+".route", s.Route) {
			add(h.path, fmt.Sprintf("wildcard host %s gets no certificate: %s.acme validates a wildcard only over DNS-01, and has no dns: "+
				"add %s.acme.dns (a hook that sets the challenge's TXT record, like dns: {exec: [./dns-hook]}), "+
				"or give the route its own certificate: {cert: ./tls/wild.pem, key: ./tls/wild.key}, or list the hosts one by one",
				h.host, tlsPath, tlsPath))
		}
	}
}

// hostAt is a route host with its field path.
type hostAt struct{ path, host string }

// wildcardHosts lists a route's wildcard hosts with their field paths
// (route.host, or route.hosts[i]).
func wildcardHosts(path string, r Route) []hostAt {
	var out []hostAt
	if strings.HasPrefix(r.Host, "*.") {
		out = append(out, hostAt{path + ".host", r.Host})
	}
	for i, h := range r.Hosts {
		if strings.HasPrefix(h, "*.") {
			out = append(out, hostAt{fmt.Sprintf("%s.hosts[%d]", path, i), h})
		}
	}
	return out
}

// defaultWildcardTLS checks the default environment's wildcard hosts:
// the top-level tls: with the services as written, unless an environment
// named default is written out (resolveEnvironments checks it then,
// with its own tls: and overrides).
func (v *validator) defaultWildcardTLS() {
	if !v.opts.Applying || mapHas(v.app.Environments, DefaultEnvironment) {
		return
	}
	wildcardTLS("tls", v.app.TLS, v.app.Services, func(path, msg string) { v.addf(path, "%s", msg) })
}

// envWildcardTLS checks environment env's wildcard hosts against its own
// tls: (TLSFor: the top-level one only for default), after its
// overrides; problems are at the lines idx locates (an override's own).
// A stored spec is not checked (Options.Applying).
func (a *App) envWildcardTLS(env string, services map[string]*Service, idx index, opts Options) Problems {
	var out Problems
	if !opts.Applying {
		return nil
	}
	tlsPath := "environments." + env + ".tls"
	if e := a.Environments[env]; env == DefaultEnvironment && (e == nil || e.TLS == nil) {
		tlsPath = "tls"
	}
	wildcardTLS(tlsPath, a.TLSFor(env), services, func(path, msg string) {
		pos := idx.nearest(path)
		out.add(Problem{File: a.file, Line: pos.line, Column: pos.column, Path: path, Message: "in environment " + env + ": " + msg})
	})
	return out
}
