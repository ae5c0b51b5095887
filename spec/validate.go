package spec

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// Validate checks an app spec and returns every problem as a *Problems
// error, or nil. Parse calls it; call it directly for a spec that did not
// come from YAML (the API's JSON). Problems carry lines only when the app
// came from Parse. It accepts defaulted specs: ApplyDefaults never makes
// a valid spec invalid.
func (a *App) Validate() error { return a.ValidateWith(Options{}) }

// validator collects the problems of one app.
type validator struct {
	app   *App
	index index
	skip  map[string]bool // paths that failed to decode: already reported
	probs Problems
	opts  Options
	// stored says the flags come from the store, not a spec being
	// applied: a flag may lack off there (stored before off existed).
	stored bool
}

func newValidator(a *App) *validator {
	return &validator{app: a, index: a.index}
}

// addf records a problem at path, located at the path's line or, for a
// missing field, at its parent's.
func (v *validator) addf(path, format string, args ...any) {
	if v.probs.full() || v.skipped(path) {
		return
	}
	pos := v.index.nearest(path)
	v.probs.add(Problem{
		File: v.app.file, Line: pos.line, Column: pos.column,
		Path: path, Message: fmt.Sprintf(format, args...),
	})
}

// skipped reports whether path or one of its parents failed to decode.
func (v *validator) skipped(path string) bool {
	for p := path; p != ""; p = parentPath(p) {
		if v.skip[p] {
			return true
		}
	}
	return false
}

// set reports whether path was written in the spec file.
func (v *validator) set(path string) bool { return v.index.has(path) }

func (v *validator) validate() {
	a := v.app
	switch {
	case a.Name == "":
		v.addf("app", "required: the app's name, a DNS label like shop")
	case !isDNSLabel(a.Name):
		v.addf("app", "invalid name %q: %s", a.Name, dnsLabelRule)
	}
	v.parts()
	for _, name := range sortedNames(a.Services) {
		if v.probs.full() {
			return
		}
		v.service(name, a.Services[name])
	}
	v.volumes()
	v.sharing()
	v.dependencies()
	v.routes()
	v.tlsSections()
	v.defaultWildcardTLS()
	v.secrets()
	v.notifications()
	v.flags()
	v.configs()
	v.environments()
}

// parts checks that the spec has something to apply (sections.go):
// services, or flags for a file of flags only. A services: section, when
// written, holds at least one service (an apply would otherwise remove
// them all; slipway down does that), and environments go with services.
func (v *validator) parts() {
	a := v.app
	switch {
	case a.index.has("services") && len(a.Services) == 0:
		v.addf("services", "at least one service is required, like services: {web: {run: [./web]}}; "+
			"a file without services: leaves the app's services as they are")
	case !a.HasServices() && !a.HasFlags() && !a.HasConfigs():
		v.addf("services", "at least one service is required, like services: {web: {run: [./web]}}; "+
			"a file of feature flags only has flags: (and segments:) instead")
	case !a.HasServices() && len(a.Environments) > 0:
		v.addf("environments", "environments promote services: write them with services: in the same file, "+
			"not in a file of flags only")
	}
}

// dnsLabelRule says what a valid app or service name is.
const dnsLabelRule = "use a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// isDNSLabel reports whether s is an RFC 1123 label, the rule for app
// and service names (they become host names and Kubernetes names).
func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabel.MatchString(s) }

// sortedNames returns a map's keys in order, for stable output.
func sortedNames[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// routeClaim is one host and path a service's route claims, and where
// the host is written.
type routeClaim struct {
	service, host, path, at string
}

// routes reports a host and path that two services claim, a wildcard
// host overlapping a plain one of another service included. A service
// without a route is reached only by name and claims nothing.
func (v *validator) routes() {
	var claimed []routeClaim
	for _, name := range sortedNames(v.app.Services) {
		s := v.app.Services[name]
		if s == nil || (!s.Route.HasHost() && s.Route.Path == "") {
			continue
		}
		for _, c := range claims(name, s.Route) {
			if other, ok := clash(claimed, c); ok {
				v.addf(c.at, "same route as service %s (host %s, path %s): each route goes to one service",
					other.service, overlapLabel(other.host, c.host), c.path)
				continue
			}
			claimed = append(claimed, c)
		}
	}
}

// claims returns the host and path pairs of one route.
func claims(service string, r Route) []routeClaim {
	path := r.Path
	if path == "" {
		path = "/"
	}
	base := "services." + service + ".route"
	if !r.HasHost() {
		return []routeClaim{{service, "", path, base}}
	}
	var out []routeClaim
	for i, h := range r.AllHosts() {
		at := base
		if r.Host == "" {
			at = fmt.Sprintf("%s.hosts[%d]", base, i)
		}
		out = append(out, routeClaim{service, h, path, at})
	}
	return out
}

// clash finds another service's claim that c overlaps.
func clash(claimed []routeClaim, c routeClaim) (routeClaim, bool) {
	for _, o := range claimed {
		if o.service == c.service || o.path != c.path {
			continue
		}
		if (o.host == "" && c.host == "") || (o.host != "" && c.host != "" && HostsOverlap(o.host, c.host)) {
			return o, true
		}
	}
	return routeClaim{}, false
}

func overlapLabel(a, b string) string {
	if a == b {
		return hostLabel(a)
	}
	return a + ", which overlaps " + b
}

func hostLabel(h string) string {
	if h == "" {
		return "any"
	}
	return h
}
