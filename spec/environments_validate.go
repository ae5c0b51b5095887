package spec

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// environments checks the environments: names, promotion sources,
// production, routers, gates and the services overrides name. The
// merged services are checked by ParseWith (resolveEnvironments), which
// has the YAML the overrides are written in.
func (v *validator) environments() {
	names := v.app.environmentOrder()
	for _, name := range names {
		if v.probs.full() {
			return
		}
		v.environment(name, v.app.Environments[name])
	}
	v.promotionCycles(names)
	v.oneProduction(names)
	v.routers(names)
}

// environment checks one environment; paths are environments.<name>.
func (v *validator) environment(name string, e *Environment) {
	p := "environments." + name
	if err := CheckEnvironmentName(name); err != nil {
		v.addf(p, "%s", err)
	}
	if e == nil {
		return
	}
	switch _, known := v.app.Environments[e.From]; {
	case e.From == "":
	case e.From == name:
		v.addf(p+".from", "an environment cannot be promoted from itself; name the environment before it, or leave from out")
	case !known:
		others := slices.DeleteFunc(v.app.environmentOrder(), func(n string) bool { return n == name })
		v.addf(p+".from", "unknown environment %q%s; environments: %s", e.From, didYouMean(e.From, others), nameList(others))
	}
	if e.Router != "" {
		if _, _, err := splitRouter(e.Router); err != nil {
			v.addf(p+".router", "%v", err)
		}
	}
	source := v.app.sources(v.app.environmentOrder())[name]
	for i, g := range e.Gates {
		gp := p + ".gates[" + strconv.Itoa(i) + "]"
		v.gate(gp, g)
		if source == "" && (g.Bake != nil || g.Analysis != nil) {
			v.addf(gp, "%s gate measures the version in the environment it comes from, and %s takes deploys from no other environment: use it on an environment promoted from %s, or use tests or approval here",
				map[string]string{"bake": "a bake", "analysis": "an analysis"}[g.Kind()], name, name)
		}
	}
	v.overrides(p+".overrides.services", e.Overrides)
	v.configOverrides(p+".overrides.configs", e.Overrides.Configs)
	v.platform(p, e)
}

// splitRouter parses a router address: host:port with a port in
// 1..65535; an empty host listens on every interface.
func splitRouter(addr string) (host string, port int, err error) {
	host, ps, err := net.SplitHostPort(addr)
	if err == nil {
		port, err = strconv.Atoi(ps)
	}
	if err != nil || port < 1 || port > 65535 || strings.ContainsAny(host, "/ ") {
		return "", 0, fmt.Errorf("must be host:port with a port 1..65535, like 127.0.0.1:7481; got %q", addr)
	}
	return strings.ToLower(host), port, nil
}

// overrides checks that the services an environment overrides exist.
func (v *validator) overrides(path string, o Overrides) {
	services := sortedNames(v.app.Services)
	for _, name := range sortedNames(o.Services) {
		if _, ok := v.app.Services[name]; !ok {
			v.addf(path+"."+name, "unknown service %q%s: overrides change services written under services:, they cannot add one; services: %s",
				name, didYouMean(name, services), nameList(services))
		}
	}
}

// gateRule says what a gate may be, for errors.
const gateRule = "want one of tests, approval, bake, analysis, like {tests: ./scripts/acceptance.sh}, {approval: {}}, {bake: 10m} or {analysis: {}}"

// gate checks one gate: one kind, and that kind's settings.
func (v *validator) gate(path string, g Gate) {
	var kinds []string
	for _, k := range []struct {
		name string
		set  bool
	}{{"tests", g.Tests != nil}, {"approval", g.Approval != nil}, {"bake", g.Bake != nil}, {"analysis", g.Analysis != nil}} {
		if k.set || v.set(path+"."+k.name) {
			kinds = append(kinds, k.name)
		}
	}
	switch {
	case len(kinds) == 0 && !v.reportedUnder(path):
		v.addf(path, "%s; got an empty gate", gateRule)
	case len(kinds) > 1:
		v.addf(path, "%s; got %s: write one gate for each", gateRule, strings.Join(kinds, " and "))
	}
	if slices.Contains(kinds, "tests") {
		v.testsGate(path+".tests", g.Tests)
	}
	if slices.Contains(kinds, "bake") && (g.Bake == nil || g.Bake.Duration <= 0) {
		got := "nothing"
		if g.Bake != nil {
			got = g.Bake.String()
		}
		v.addf(path+".bake", "must be a duration > 0, like 10m; got %s", got)
	}
	if g.Analysis != nil {
		v.analysisGate(path+".analysis", g.Analysis)
	}
}

func (v *validator) testsGate(path string, t *TestsGate) {
	if t == nil || strings.TrimSpace(t.Run) == "" {
		v.addf(path+".run", "required: the command to run, like ./scripts/acceptance.sh (exit status 0 passes)")
	}
	if t != nil {
		v.positive(path+".timeout", t.Timeout)
	}
}

// analysisGate checks an analysis gate. Its metrics are checked like a
// canary's, but with no baseline to compare with.
func (v *validator) analysisGate(path string, a *AnalysisGate) {
	v.positive(path+".interval", a.Interval)
	if a.Count < 0 || (a.Count == 0 && v.set(path+".count")) {
		v.addf(path+".count", "must be at least 1 (passing measurements each metric needs), got %d", a.Count)
	}
	seen := map[string]int{}
	for i, m := range a.Metrics {
		mp := path + ".metrics[" + strconv.Itoa(i) + "]"
		if first, ok := seen[m.Name]; ok && m.Name != "" {
			v.addf(mp+".name", "metric %q is defined twice (first at metrics[%d])", m.Name, first)
		}
		seen[m.Name] = i
		v.metric(mp, m)
		if m.Compare != "" {
			v.addf(mp+".compare", "not allowed in a gate: there is no baseline to compare with; judge by successCondition, like result >= 0.99")
		}
	}
}

// reportedUnder reports whether a problem was already found inside path
// (an unknown field), so that what it left unset is not reported again.
func (v *validator) reportedUnder(path string) bool {
	return slices.ContainsFunc(v.probs, func(p Problem) bool {
		return strings.HasPrefix(p.Path, path+".")
	})
}

// promotionCycles reports environments promoted from each other in a
// ring, each ring once, at the first written from on it.
func (v *validator) promotionCycles(names []string) {
	a := v.app
	sources := a.sources(names)
	next := func(n string) []string {
		if s := sources[n]; s != "" && s != n && a.Environments[s] != nil {
			return []string{s}
		}
		return nil
	}
	for _, c := range cycles(names, next) {
		slices.Reverse(c) // sources first: the direction versions flow
		at := c[0]
		for _, n := range names {
			if e := a.Environments[n]; slices.Contains(c, n) && e != nil && e.From != "" {
				at = n
				break
			}
		}
		v.addf("environments."+at+".from", "promotion cycle: %s; an environment without from is promoted from the one written before it, so write them in promotion order",
			strings.Join(c, " -> "))
	}
}

// oneProduction reports every production: true after the first.
func (v *validator) oneProduction(names []string) {
	first := ""
	for _, n := range names {
		e := v.app.Environments[n]
		switch {
		case e == nil || !e.Production:
		case first == "":
			first = n
		default:
			v.addf("environments."+n+".production", "only one environment can be production; %s already is", first)
		}
	}
}

// routers reports two environments whose routers would listen on the
// same address (an empty host or 0.0.0.0 takes the port on every
// interface).
func (v *validator) routers(names []string) {
	type claim struct {
		env, host string
	}
	claims := map[int][]claim{} // by port
	for _, n := range names {
		e := v.app.Environments[n]
		if e == nil || e.Router == "" {
			continue
		}
		host, port, err := splitRouter(e.Router)
		if err != nil {
			continue
		}
		for _, c := range claims[port] {
			if c.host == host || anyHost(c.host) || anyHost(host) {
				v.addf("environments."+n+".router", "same address as environment %s's router (%s): give each environment its own port",
					c.env, v.app.Environments[c.env].Router)
				break
			}
		}
		claims[port] = append(claims[port], claim{n, host})
	}
}

// anyHost reports whether a listener on host takes every interface.
func anyHost(host string) bool { return host == "" || host == "0.0.0.0" || host == "::" }

// unknownEnvironment reports that the environment asked for is not in
// the spec.
func (v *validator) unknownEnvironment(name string) {
	names := v.app.EnvironmentNames()
	msg := fmt.Sprintf("environment %q is not in the spec (it has %s)", name, nameList(names))
	if len(v.app.Environments) == 0 {
		msg = fmt.Sprintf("environment %q is not in the spec (it has no environments: only %s)", name, DefaultEnvironment)
	}
	if s := suggest(name, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	v.probs.add(Problem{File: v.app.file, Message: msg})
}
