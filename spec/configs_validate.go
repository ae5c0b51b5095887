package spec

import (
	"slices"
	"strconv"
	"strings"
)

// configs checks the configs section: each config's fields, not its
// values against its schema, rules and command, which package config
// checks (they need files and processes).
func (v *validator) configs() {
	for _, name := range sortedNames(v.app.Configs) {
		if v.probs.full() {
			return
		}
		v.config(name, v.app.Configs[name])
	}
	v.caseClashes("configs", sortedNames(v.app.Configs))
}

// config checks one config; paths start at configs.NAME.
func (v *validator) config(name string, c *Config) {
	p := "configs." + name
	if !IsFlagKey(name) {
		v.addf(p, "invalid config name %q: %s", name, flagKeyRule)
	}
	if c == nil {
		v.addf(p, "empty config: service and values are required, like {service: web, values: {timeoutMs: 2000}}")
		return
	}
	switch services := v.app.Services; {
	case c.Service == "":
		v.addf(p+".service", "required: the service that reads the config (its instances get it)")
	case services != nil && services[c.Service] == nil:
		known := sortedNames(services)
		v.addf(p+".service", "unknown service %q%s; services: %s", c.Service, didYouMean(c.Service, known), nameList(known))
	}
	if c.Values == nil && !v.skipped(p+".values") {
		v.addf(p+".values", "required: the config's values, a mapping like {timeoutMs: 2000, logLevel: info}")
	}
	for i, r := range c.Rules {
		v.configRule(p+".rules["+strconv.Itoa(i)+"]", r)
	}
	if v.set(p+".validate") && (len(c.Validate) == 0 || strings.TrimSpace(c.Validate[0]) == "") {
		v.addf(p+".validate", "must name a command, like [./scripts/check-config]: it reads the values on stdin and exits 0 when they are valid")
	}
	v.positive(p+".validateTimeout", c.ValidateTimeout)
	if c.Signal != "" && !slices.Contains(ConfigSignals, c.Signal) {
		v.addf(p+".signal", "unknown signal %q; one of %s", c.Signal, nameList(ConfigSignals))
	}
	v.configDelivery(p+".delivery", c.Delivery)
}

// configRule checks a rule: a CEL condition over config.
func (v *validator) configRule(path, expr string) {
	if strings.TrimSpace(expr) == "" {
		v.addf(path, "must not be empty: a condition on config, like config.timeoutMs <= 30000")
		return
	}
	if v.opts.CheckConfigExpr == nil {
		return
	}
	if err := v.opts.CheckConfigExpr(expr); err != nil {
		v.addf(path, "does not compile: %v", err)
	}
}

func (v *validator) configDelivery(path string, d ConfigDelivery) {
	s, sp := d.Strategy, path+".strategy"
	n := 0
	for _, set := range []bool{s.Linear != nil, s.Exponential != nil, s.AllAtOnce != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		v.addf(sp, "choose one of linear, exponential and allAtOnce")
	}
	if l := s.Linear; l != nil {
		if l.Steps < 1 || l.Steps > 100 {
			v.addf(sp+".linear.steps", "must be 1..100, got %d: the instances get the version in that many equal shares", l.Steps)
		}
		v.positive(sp+".linear.interval", l.Interval)
	}
	if e := s.Exponential; e != nil {
		if e.Factor != 0 && (e.Factor <= 1 || e.Factor > 100) {
			v.addf(sp+".exponential.factor", "must be above 1 and at most 100, got %g: the number of instances is multiplied by it at each step", e.Factor)
		}
		v.positive(sp+".exponential.interval", e.Interval)
	}
	v.nonNegative(path+".bake", d.Bake)
	v.analysis(path+".analysis", d.Analysis)
	if d.Analysis == nil {
		return
	}
	for i, m := range d.Analysis.Metrics {
		if m.Judge == JudgeSequential {
			v.addf(path+".analysis.metrics["+strconv.Itoa(i)+"].judge",
				"a config delivery compares instances by interval: the sequential judge follows revisions; use judge: interval or leave it out")
		}
	}
}
