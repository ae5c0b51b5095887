package spec

import (
	"maps"
	"reflect"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// expandTestsShorthand rewrites each gate's `tests: cmd` into
// `tests: {run: cmd}` in place, at the same position, so that the
// decoder reads one shape and still indexes tests.run and tests.timeout.
func expandTestsShorthand(root *yaml.Node) {
	for _, env := range mappingValues(valueOf(root, "environments")) {
		gates := valueOf(env, "gates")
		if gates == nil || gates.Kind != yaml.SequenceNode {
			continue
		}
		for _, g := range gates.Content {
			g = resolve(g)
			if g.Kind != yaml.MappingNode {
				continue
			}
			for i := 0; i+1 < len(g.Content); i += 2 {
				k, v := g.Content[i], resolve(g.Content[i+1])
				if k.Value == "tests" && v.Kind == yaml.ScalarNode && !isNull(v) {
					key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "run", Line: v.Line, Column: v.Column}
					g.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: v.Line, Column: v.Column,
						Content: []*yaml.Node{key, v}}
				}
			}
		}
	}
}

// valueOf returns the value of key in mapping n, or nil.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	if n = resolveOrNil(n); n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if resolve(n.Content[i]).Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

// mappingValues returns the values of mapping n (none when n is not one).
func mappingValues(n *yaml.Node) []*yaml.Node {
	if n = resolveOrNil(n); n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for i := 1; i < len(n.Content); i += 2 {
		out = append(out, resolve(n.Content[i]))
	}
	return out
}

func resolveOrNil(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	return resolve(n)
}

// origin records, for one merged service, which paths (relative to the
// service: instances, strategy.canary) the override wrote: replaced
// values come wholly from it; merged mappings mix base and override.
type origin map[string]originKind

type originKind int

const (
	fromBoth     originKind = iota + 1 // a mapping merged key by key
	fromOverride                       // written by the override alone
)

// fromOverride reports whether the value at the service-relative path
// was written by the override: it or an ancestor was replaced, or it is
// a merged mapping (whose key is the override's).
func (o origin) fromOverride(rel string) bool {
	for p := rel; ; p = parentPath(p) {
		switch o[p] {
		case fromOverride:
			return true
		case fromBoth:
			return p == rel
		}
		if p == "" {
			return false
		}
	}
}

// exclusiveKeys are the mappings (relative to a service) whose keys are
// kinds of which one is set: an override that sets one kind replaces
// the base's other kinds instead of adding to them.
var exclusiveKeys = map[string][]string{
	"strategy":                   {"rolling", "blueGreen", "canary", "parallelRun"},
	"strategy.canary.stickiness": {"cookie", "header"},
	"health.readiness":           {"http", "tcp", "exec"},
	"health.liveness":            {"http", "tcp", "exec"},
}

// programGroups are a service's top-level keys that say what it runs: an
// override that writes a key of one group drops the base's keys of the
// other, so that dev may run a command and prod an image (or the other
// way) without writing both, which a service may not have.
var programGroups = [][]string{{"run", "artifact"}, {"image", "command"}}

// merger deep-merges override fragments into service nodes.
type merger struct {
	scratch *decoder // expands merge keys; its problems were reported by the base parse
	origin  origin
	budget  int // nodes left to visit, shared with decoding
}

// merge returns base with over merged in: mappings key by key, anything
// else replaced by over. rel is the service-relative path of the value.
// Neither input is changed; unchanged subtrees are shared.
func (m *merger) merge(base, over *yaml.Node, rel string) *yaml.Node {
	base, over = resolve(base), resolve(over)
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode || m.budget <= 0 {
		m.origin[rel] = fromOverride
		return over
	}
	if rel != "" {
		m.origin[rel] = fromBoth
	}
	basePairs, overPairs := m.scratch.pairs(base, "", 0), m.scratch.pairs(over, "", 0)
	m.budget -= len(basePairs) + len(overPairs)
	overByKey := make(map[string]*yaml.Node, len(overPairs))
	for _, p := range overPairs {
		overByKey[p.key.Value] = p.value
	}
	dropped := exclusiveDropped(rel, overPairs)
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: base.Tag, Style: base.Style, Line: base.Line, Column: base.Column}
	baseByKey := make(map[string]*yaml.Node, len(basePairs))
	for _, bp := range basePairs {
		baseByKey[bp.key.Value] = bp.value
		_, overridden := overByKey[bp.key.Value]
		if !overridden && !slices.Contains(dropped, bp.key.Value) {
			out.Content = append(out.Content, bp.key, bp.value)
		}
	}
	for _, op := range overPairs {
		k, fp := op.key.Value, joinPath(rel, op.key.Value)
		if bv, ok := baseByKey[k]; ok {
			out.Content = append(out.Content, op.key, m.merge(bv, op.value, fp))
			continue
		}
		m.origin[fp] = fromOverride
		out.Content = append(out.Content, op.key, op.value)
	}
	return out
}

// exclusiveDropped returns the kinds the base may not keep at rel: the
// other kinds of an exclusive mapping when the override sets one.
func exclusiveDropped(rel string, over []pair) []string {
	if rel == "" {
		return programDropped(over)
	}
	kinds := exclusiveKeys[rel]
	var set []string
	for _, p := range over {
		if slices.Contains(kinds, p.key.Value) {
			set = append(set, p.key.Value)
		}
	}
	if len(set) == 0 {
		return nil
	}
	var drop []string
	for _, k := range kinds {
		if !slices.Contains(set, k) {
			drop = append(drop, k)
		}
	}
	return drop
}

// programDropped returns the base's program keys an override at a
// service's top level replaces: the other group's, when it writes one.
func programDropped(over []pair) []string {
	var drop []string
	for i, g := range programGroups {
		if slices.ContainsFunc(over, func(p pair) bool { return slices.Contains(g, p.key.Value) }) {
			drop = append(drop, programGroups[1-i]...)
		}
	}
	return drop
}

// resolved is the app as one environment sees it.
type resolved struct {
	app     *App
	probs   Problems          // problems of the merged services, paths as found
	origins map[string]origin // by service name
}

// resolveEnvironment merges env's overrides into the services written
// under root's services: and decodes the services it changes. The
// returned app shares everything else with base; its index holds only
// the positions under services (servicesIndex, base's), which is all its
// checks need. budget bounds the nodes decoded; the rest is returned.
func resolveEnvironment(base *App, servicesIndex index, root *yaml.Node, env *Environment, opts Options, budget int) (resolved, int) {
	r := resolved{origins: map[string]origin{}}
	services := valueOf(root, "services")
	m := &merger{scratch: newDecoder(base.file), budget: budget}
	merged := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, name := range sortedNames(env.Overrides.Services) {
		o := env.Overrides.Services[name]
		key, node := serviceNode(services, name)
		if o.node == nil || key == nil {
			continue // nothing to merge, or an unknown service: reported
		}
		m.origin = origin{}
		merged.Content = append(merged.Content, key, m.merge(node, o.node, ""))
		r.origins[name] = m.origin
	}
	d := newDecoder(base.file)
	d.budget = m.budget - len(servicesIndex) // copying it below costs as much
	app := *base
	app.Environment = env.Name
	tmp := &App{}
	d.structure(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Value: "services", Line: base.index["services"].line, Column: base.index["services"].column},
		merged,
	}}, reflect.ValueOf(tmp).Elem(), "")
	app.Services = maps.Clone(base.Services)
	maps.Copy(app.Services, tmp.Services)
	app.index = index{}
	for p, pos := range servicesIndex {
		if name, _, ok := splitServicePath(p); !ok || !mapHas(tmp.Services, name) {
			app.index[p] = pos
		}
	}
	for p, pos := range d.index {
		if strings.HasPrefix(p, "services.") {
			app.index[p] = pos
		}
	}
	v := newValidator(&app)
	v.opts = opts
	v.skip, v.probs = d.failed, d.probs
	for _, name := range sortedNames(tmp.Services) {
		v.service(name, app.Services[name])
	}
	v.dependencies()
	v.routes()
	r.app, r.probs = &app, v.probs
	return r, max(d.budget, 0)
}

// serviceNode returns the key and value of a service under services:,
// following merge keys, or nils when it is not written there.
func serviceNode(services *yaml.Node, name string) (key, value *yaml.Node) {
	if services == nil || services.Kind != yaml.MappingNode {
		return nil, nil
	}
	for _, p := range newDecoder("").pairs(services, "", 0) {
		if p.key.Value == name {
			return p.key, p.value
		}
	}
	return nil, nil
}

// dropIndex removes path and everything under it.
func dropIndex(ix index, path string) {
	for p := range ix {
		if p == path || strings.HasPrefix(p, path+".") || strings.HasPrefix(p, path+"[") {
			delete(ix, p)
		}
	}
}

// envProblems turns the problems found in env's merged services into the
// spec's: one the base spec has too (same place and message) is left
// out; one in a value the override wrote is named by the override's
// path; any other is said to arise in the environment.
func envProblems(env string, r resolved, base Problems) Problems {
	var out Problems
	for _, p := range r.probs {
		if slices.Contains(base, p) {
			continue
		}
		name, rel, ok := splitServicePath(p.Path)
		if ok && r.origins[name] != nil && r.origins[name].fromOverride(rel) {
			p.Path = "environments." + env + ".overrides." + p.Path
		} else {
			p.Message = "in environment " + env + ": " + p.Message
		}
		out = append(out, p)
	}
	return out
}

// splitServicePath splits services.invoice.route.path into invoice and
// route.path.
func splitServicePath(path string) (name, rel string, ok bool) {
	rest, ok := strings.CutPrefix(path, "services.")
	if !ok {
		return "", "", false
	}
	i := strings.IndexAny(rest, ".[")
	if i < 0 {
		return rest, "", true
	}
	return rest[:i], strings.TrimPrefix(rest[i:], "."), true
}

// resolveEnvironments checks every environment's merged services, adding
// their problems, and returns the app for the environment named want:
// the base spec for "", with Environment set to DefaultEnvironment when
// the spec has no environments.
func (v *validator) resolveEnvironments(root *yaml.Node, want string, budget int) *App {
	a := v.app
	if len(a.Environments) == 0 {
		if want != "" && !a.HasServices() {
			// A file of flags only applies to an environment its
			// services' file made (the server checks it exists).
			return withEnvironment(a, want)
		}
		if want != "" && want != DefaultEnvironment {
			v.unknownEnvironment(want)
		}
		return withEnvironment(a, DefaultEnvironment)
	}
	base := slices.Clone(v.probs)
	servicesIndex := index{}
	for p, pos := range a.index {
		if p == "" || p == "services" || strings.HasPrefix(p, "services.") {
			servicesIndex[p] = pos
		}
	}
	var chosen *App
	for _, name := range a.environmentOrder() {
		e := a.Environments[name]
		var r resolved
		if len(e.Overrides.Services) > 0 && budget > 0 { // else the base reported the spec too large
			r, budget = resolveEnvironment(a, servicesIndex, root, e, v.opts, budget)
			for _, p := range envProblems(name, r, base) {
				v.probs.add(p)
			}
		}
		services, idx := a.Services, a.index
		if r.app != nil {
			services, idx = r.app.Services, r.app.index
		}
		if e.Kube() != nil {
			for _, p := range kubeServices(name, e.Kube(), services, idx, a.file) {
				v.probs.add(p)
			}
		}
		for _, p := range a.envWildcardTLS(name, services, idx, v.opts) {
			v.probs.add(p)
		}
		if name == want {
			chosen = withEnvironment(a, name)
			chosen.Configs = envConfigs(a.Configs, e)
			if r.app != nil {
				chosen.Services = r.app.Services
				chosen.index = maps.Clone(a.index)
				dropIndex(chosen.index, "services")
				maps.Copy(chosen.index, r.app.index)
			}
		}
	}
	switch {
	case want == "":
		return a
	case chosen == nil:
		v.unknownEnvironment(want)
	}
	return chosen
}

// withEnvironment returns a copy of a for the environment env, which has
// no overrides.
func withEnvironment(a *App, env string) *App {
	c := *a
	c.Environment = env
	return &c
}

func mapHas[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}
