package spec

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// DefaultEnvironment is the one environment of a spec without
// `environments:`: the base spec, deployed as written.
const DefaultEnvironment = "default"

// Environment is a named target (dev, staging, prod) that a version is
// promoted into, from its Source, once the source's gates pass:
//
//	environments:
//	  dev: {}
//	  staging:
//	    router: 127.0.0.1:7481
//	    gates: [{tests: ./scripts/acceptance.sh}]
//	  prod:
//	    from: staging
//	    production: true
//	    gates: [{approval: {}}, {bake: 10m}, {analysis: {}}]
//	    overrides: {services: {invoice: {instances: 4}}}
//
// An environment's services are the spec's services with its Overrides
// merged in (ParseWith with Options.Environment). Overrides apply to the
// base spec only: From orders promotion, it does not inherit the source's
// overrides.
type Environment struct {
	// Name is the key under `environments:`; not part of the YAML body.
	Name string `yaml:"-" json:"name"`
	// From is the environment whose versions are promoted into this one
	// (default: the one listed just before it; none for the first, which
	// takes what `slipway apply` deploys). ApplyDefaults fills it in.
	From string `yaml:"from,omitempty" json:"from,omitempty"`
	// Production marks the environment that serves users, for the DORA
	// metrics; at most one may set it (see App.Production).
	Production bool `yaml:"production,omitempty" json:"production,omitempty"`
	// Router is the address (host:port) of the environment's own router
	// listener; empty lets the server pick a free loopback port when the
	// environment is created (slipway env list shows it). The default
	// environment uses the server's --router.
	Router string `yaml:"router,omitempty" json:"router,omitempty"`
	// TLS is the environment's TLS listener (tls.go).
	TLS *TLS `yaml:"tls,omitempty" json:"tls,omitempty"`
	// Gates must all pass, in order, before a version enters this
	// environment (by a promotion from Source, or a deploy). Tests run
	// against the source environment's router; bake and analysis measure
	// the version there, so they need a source.
	Gates []Gate `yaml:"gates,omitempty" json:"gates,omitempty"`
	// Overrides change the services in this environment.
	Overrides Overrides `yaml:"overrides,omitempty" json:"overrides"`
	// Platform says where the environment's services run (platform.go):
	// the server's machine by default, or a Kubernetes cluster.
	Platform Platform `yaml:"platform,omitempty" json:"platform,omitzero"`

	// prev is the environment listed before this one: the default From.
	prev string
}

// Source returns the environment this one is promoted from: From, or by
// default the one listed just before it in the file; "" for the first,
// which takes what `slipway apply` deploys. The default is known after
// Parse or ApplyDefaults.
func (e *Environment) Source() string {
	if e.From != "" {
		return e.From
	}
	return e.prev
}

// Overrides change an environment's services. They may change any field
// of a service; they cannot add a service.
type Overrides struct {
	// Services are fragments of services by name, each deep-merged into
	// the service of that name: mappings merge key by key, scalars and
	// lists replace. Setting one kind of a strategy (canary) or of a
	// probe (tcp) replaces the base's other kind (rolling, http).
	Services map[string]ServiceOverride `yaml:"services,omitempty" json:"services,omitempty"`
	// Configs change configs' values in this environment: each config's
	// values are deep-merged with the override's (ConfigOverride); the
	// result is checked by the config's schema, rules and command when
	// the environment is applied, as the base values are.
	Configs map[string]ConfigOverride `yaml:"configs,omitempty" json:"configs,omitempty"`
}

// ServiceOverride is one service's fragment in an environment's
// overrides. It is kept as written, and merged into the service's YAML
// before decoding, so that a bad value is reported at its own line.
type ServiceOverride struct {
	node *yaml.Node
}

// UnmarshalYAML keeps the fragment, which must be a mapping.
func (o *ServiceOverride) UnmarshalYAML(n *yaml.Node) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("must be a mapping of service fields to change, like {instances: 4}; got %s", describe(n))
	}
	o.node = n
	return nil
}

// MarshalYAML writes the fragment as it was written.
func (o ServiceOverride) MarshalYAML() (any, error) {
	if o.node == nil {
		return map[string]any{}, nil
	}
	return o.node, nil
}

// MarshalJSON writes the fragment as a JSON object.
func (o ServiceOverride) MarshalJSON() ([]byte, error) {
	v := map[string]any{}
	if o.node != nil {
		if err := o.node.Decode(&v); err != nil {
			return nil, fmt.Errorf("service override: %w", err)
		}
	}
	return json.Marshal(v)
}

// Gate is one check a version must pass before it leaves an environment.
// Exactly one field is set.
type Gate struct {
	// Tests runs a command; exit status 0 passes. YAML takes the command
	// alone (tests: ./scripts/acceptance.sh) or {run: ..., timeout: 5m}.
	Tests *TestsGate `yaml:"tests,omitempty" json:"tests,omitempty"`
	// Approval waits for a person to approve the promotion.
	Approval *ApprovalGate `yaml:"approval,omitempty" json:"approval,omitempty"`
	// Bake waits this long (> 0) with the version running in the
	// environment, so that problems have time to show.
	Bake *Duration `yaml:"bake,omitempty" json:"bake,omitempty"`
	// Analysis judges the version's metrics in the environment.
	Analysis *AnalysisGate `yaml:"analysis,omitempty" json:"analysis,omitempty"`
}

// GateKinds lists the kinds of gate, for errors and docs.
func GateKinds() []string { return []string{"tests", "approval", "bake", "analysis"} }

// Kind names the gate's one field (tests, approval, bake, analysis), or
// "" when none is set.
func (g Gate) Kind() string {
	switch {
	case g.Tests != nil:
		return "tests"
	case g.Approval != nil:
		return "approval"
	case g.Bake != nil:
		return "bake"
	case g.Analysis != nil:
		return "analysis"
	}
	return ""
}

// String describes the gate in a few words: "tests ./scripts/acceptance.sh",
// "approval", "bake 10m", "analysis" or "analysis success-rate, latency".
func (g Gate) String() string {
	switch {
	case g.Tests != nil:
		return "tests " + g.Tests.Run
	case g.Bake != nil:
		return "bake " + g.Bake.String()
	case g.Analysis != nil && len(g.Analysis.Metrics) > 0:
		names := make([]string, len(g.Analysis.Metrics))
		for i, m := range g.Analysis.Metrics {
			names[i] = m.Name
		}
		return "analysis " + strings.Join(names, ", ")
	}
	return g.Kind()
}

// TestsGate runs a command against the environment.
type TestsGate struct {
	// Run is the command line to run, like ./scripts/acceptance.sh;
	// exit status 0 passes.
	Run string `yaml:"run" json:"run"`
	// Timeout bounds the run; past it the gate fails (default 10m).
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout"`
}

// ApprovalGate waits until a person approves the promotion. It has no
// settings yet; YAML writes it approval: {}.
type ApprovalGate struct{}

// AnalysisGate judges the version running in the environment by its
// metrics. There is no baseline in an environment, so each metric is
// judged by its successCondition.
type AnalysisGate struct {
	// Interval between measurements (default 5s).
	Interval Duration `yaml:"interval,omitempty" json:"interval"`
	// Count is how many passing measurements each metric needs (default 3).
	Count int `yaml:"count,omitempty" json:"count,omitempty"`
	// Metrics are judged; empty means the service's canary analysis
	// metrics, else a default success rate.
	Metrics []Metric `yaml:"metrics,omitempty" json:"metrics,omitempty"`
}

// EnvironmentNames returns the environments in the order they are
// written, or [DefaultEnvironment] for a spec without environments.
func (a *App) EnvironmentNames() []string {
	if len(a.Environments) == 0 {
		return []string{DefaultEnvironment}
	}
	return a.environmentOrder()
}

// Env returns the environment named name. A spec without environments
// has one, DefaultEnvironment, with no gates and no overrides.
func (a *App) Env(name string) (*Environment, bool) {
	if len(a.Environments) == 0 {
		if name == DefaultEnvironment {
			return &Environment{Name: DefaultEnvironment}, true
		}
		return nil, false
	}
	e, ok := a.Environments[name]
	return e, ok && e != nil
}

// Production returns the environment that serves users: the one with
// production: true, else the end of the promotion chain (the environment
// no other is promoted from; the last written when several are), else
// DefaultEnvironment.
func (a *App) Production() string {
	names := a.environmentOrder()
	if len(names) == 0 {
		return DefaultEnvironment
	}
	for _, n := range names {
		if e := a.Environments[n]; e != nil && e.Production {
			return n
		}
	}
	sources := map[string]bool{}
	for _, s := range a.sources(names) {
		sources[s] = true
	}
	for _, n := range slices.Backward(names) {
		if !sources[n] {
			return n
		}
	}
	return names[len(names)-1] // a cycle, which Validate reports
}

// environmentOrder returns the environment names in the order they are
// written: as recorded by Parse, else by their position in the file,
// else (an app not read from YAML) by name.
func (a *App) environmentOrder() []string {
	if len(a.envOrder) == len(a.Environments) && a.orderCovers() {
		return slices.Clone(a.envOrder)
	}
	names := sortedNames(a.Environments)
	slices.SortStableFunc(names, func(x, y string) int {
		px, py := a.index["environments."+x], a.index["environments."+y]
		if px.line != py.line {
			return px.line - py.line
		}
		return px.column - py.column
	})
	return names
}

func (a *App) orderCovers() bool {
	for _, n := range a.envOrder {
		if _, ok := a.Environments[n]; !ok {
			return false
		}
	}
	return true
}

// sources returns the effective From of each environment in names (the
// environments in order): written, else the one listed before it.
func (a *App) sources(names []string) map[string]string {
	out := make(map[string]string, len(names))
	for i, n := range names {
		switch e := a.Environments[n]; {
		case e != nil && e.From != "":
			out[n] = e.From
		case i > 0:
			out[n] = names[i-1]
		}
	}
	return out
}

// linkEnvironments records the order of the environments, gives an
// environment written as null an empty body, and sets each one's Name
// and default From. A gate written `approval:` or `analysis:` (null)
// means the same as {}. It is idempotent.
func (a *App) linkEnvironments() {
	a.envOrder = a.environmentOrder()
	prev := ""
	for _, n := range a.envOrder {
		e := a.Environments[n]
		if e == nil {
			e = &Environment{}
			a.Environments[n] = e
		}
		e.Name, e.prev = n, prev
		prev = n
		for i := range e.Gates {
			g, p := &e.Gates[i], "environments."+n+".gates["+strconv.Itoa(i)+"]"
			if g.Approval == nil && a.index.has(p+".approval") {
				g.Approval = &ApprovalGate{}
			}
			if g.Analysis == nil && a.index.has(p+".analysis") {
				g.Analysis = &AnalysisGate{}
			}
		}
	}
}

// applyEnvironmentDefaults fills in each environment's From and its
// gates' settings.
func (a *App) applyEnvironmentDefaults() {
	a.linkEnvironments()
	for _, e := range a.Environments {
		e.From = e.Source()
		for _, g := range e.Gates {
			g.applyDefaults()
		}
	}
}

func (g Gate) applyDefaults() {
	if t := g.Tests; t != nil {
		orDefault(&t.Timeout, DefaultTestsTimeout)
	}
	if an := g.Analysis; an != nil {
		orDefault(&an.Interval, DefaultAnalysisInterval)
		if an.Count == 0 {
			an.Count = DefaultGateAnalysisCount
		}
		for i := range an.Metrics {
			an.Metrics[i].applyDefaults()
		}
	}
}

// cloneEnvironments returns a deep copy of the environments; override
// fragments are shared, as nothing changes them.
func (a *App) cloneEnvironments() map[string]*Environment {
	if a.Environments == nil {
		return nil
	}
	out := make(map[string]*Environment, len(a.Environments))
	for n, e := range a.Environments {
		if e == nil {
			out[n] = nil
			continue
		}
		c := *e
		c.Overrides.Services = maps.Clone(e.Overrides.Services)
		if e.Overrides.Configs != nil {
			c.Overrides.Configs = make(map[string]ConfigOverride, len(e.Overrides.Configs))
			for name, o := range e.Overrides.Configs {
				c.Overrides.Configs[name] = ConfigOverride{Values: o.Values.Clone()}
			}
		}
		c.Platform = e.Platform.clone()
		c.TLS = e.TLS.clone()
		c.Gates = make([]Gate, len(e.Gates))
		for i, g := range e.Gates {
			c.Gates[i] = g.clone()
		}
		if e.Gates == nil {
			c.Gates = nil
		}
		out[n] = &c
	}
	return out
}

func (g Gate) clone() Gate {
	c := Gate{Tests: clonePtr(g.Tests), Approval: clonePtr(g.Approval), Bake: clonePtr(g.Bake)}
	if g.Analysis != nil {
		an := *g.Analysis
		an.Metrics = slices.Clone(g.Analysis.Metrics)
		c.Analysis = &an
	}
	return c
}
