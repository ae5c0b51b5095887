package spec

import (
	"slices"
	"strconv"
	"strings"
)

// dependencies checks dependsOn: known services, no self-dependency, no
// repeats, and no cycles.
func (v *validator) dependencies() {
	services := v.app.Services
	for _, name := range sortedNames(services) {
		s := services[name]
		if s == nil {
			continue
		}
		seen := map[string]bool{}
		for i, dep := range s.DependsOn {
			if v.probs.full() {
				return
			}
			p := "services." + name + ".dependsOn[" + strconv.Itoa(i) + "]"
			_, known := services[dep]
			switch {
			case dep == name:
				v.addf(p, "a service cannot depend on itself")
			case !known:
				v.addf(p, "unknown service %q%s; services: %s",
					dep, didYouMean(dep, sortedNames(services)), nameList(sortedNames(services)))
			case seen[dep]:
				v.addf(p, "%s is listed twice", dep)
			}
			seen[dep] = true
		}
	}
	for _, cycle := range findCycles(services) {
		v.addf("services."+cycle[0]+".dependsOn", "dependency cycle: %s", strings.Join(cycle, " -> "))
	}
}

// edges returns the known dependencies of a service, other than itself
// (that case has its own message).
func edges(services map[string]*Service, name string) []string {
	s := services[name]
	if s == nil {
		return nil
	}
	var out []string
	for _, d := range s.DependsOn {
		if _, ok := services[d]; ok && d != name {
			out = append(out, d)
		}
	}
	return out
}

// findCycles returns the cycles among services' dependencies (see
// cycles).
func findCycles(services map[string]*Service) [][]string {
	return cycles(sortedNames(services), func(n string) []string { return edges(services, n) })
}

// cycles returns one cycle per back edge a depth-first search from each
// node (in order) finds over next, each starting and ending at its
// smallest name (order -> invoice -> order comes out as invoice -> order
// -> invoice), without repeats. Shared by service dependencies and flag
// prerequisites.
func cycles(nodes []string, next func(string) []string) [][]string {
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var out [][]string
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		state[n] = onStack
		stack = append(stack, n)
		for _, d := range next(n) {
			switch state[d] {
			case unvisited:
				visit(d)
			case onStack:
				c := canonicalCycle(stack[slices.Index(stack, d):])
				if key := strings.Join(c, ">"); !seen[key] {
					seen[key] = true
					out = append(out, c)
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
	}
	for _, n := range nodes {
		if state[n] == unvisited {
			visit(n)
		}
	}
	return out
}

// canonicalCycle rotates a cycle to start at its smallest name and
// closes it: [b a] -> [a b a].
func canonicalCycle(c []string) []string {
	i := slices.Index(c, slices.Min(c))
	out := append(slices.Clone(c[i:]), c[:i]...)
	return append(out, out[0])
}

// TopoOrder returns the service names with every service after the ones
// it depends on, and names in order where the dependencies leave a
// choice. It expects a validated (acyclic) spec; if there is a cycle
// anyway, the services on it come last, in name order, so every name is
// still returned once.
func TopoOrder(services map[string]*Service) []string {
	waiting := map[string]int{} // dependencies not yet placed
	dependents := map[string][]string{}
	for name := range services {
		for _, d := range edges(services, name) {
			waiting[name]++
			dependents[d] = append(dependents[d], name)
		}
	}
	var ready, order []string
	for _, name := range sortedNames(services) {
		if waiting[name] == 0 {
			ready = append(ready, name)
		}
	}
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		for _, m := range dependents[n] {
			if waiting[m]--; waiting[m] == 0 {
				ready = append(ready, m)
				slices.Sort(ready)
			}
		}
	}
	for _, name := range sortedNames(services) {
		if waiting[name] > 0 {
			order = append(order, name)
		}
	}
	return order
}
