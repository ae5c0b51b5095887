package spec

import (
	"slices"
	"strconv"
)

// FlagProgressive releases a flag's variant step by step, each share
// held for a bake time while an analysis judges the service that reads
// the flag; a failed analysis flips the flag back (the variant to 0%) on
// its own. The release starts once that service's rollout is done: a
// flag tied to a deployment is released only when the revision that
// reads it is stable.
//
//	progressive:
//	  service: order
//	  steps: [{percent: 10, bake: 5m}, {percent: 50, bake: 10m}, {percent: 100}]
//	  analysis: {interval: 10s, metrics: [{name: ok, provider: router, metric: successRate, successCondition: result >= 0.99}]}
type FlagProgressive struct {
	// Variant is the variant released (default: of a two-variant flag,
	// the one that is not the default).
	Variant string `yaml:"variant,omitempty" json:"variant,omitempty"`
	// Service reads the flag: the release waits for its rollout to be
	// done, and the router provider measures its stable revision.
	Service string `yaml:"service" json:"service"`
	// Steps raise the variant's share in turn; at least one.
	Steps []FlagStep `yaml:"steps" json:"steps"`
	// Analysis judges each step; metrics are judged by their condition
	// (there is no baseline to compare with). Nil: bake times only.
	Analysis *Analysis `yaml:"analysis,omitempty" json:"analysis,omitempty"`
}

// FlagStep is one share of a progressive flag release.
type FlagStep struct {
	// Percent of subjects served the variant (0..100, three decimals).
	Percent float64 `yaml:"percent" json:"percent"`
	// Bake is how long the share holds, healthy, before the next step.
	Bake Duration `yaml:"bake,omitempty" json:"bake"`
}

// ReleasedVariant returns the variant a progressive release raises.
func (f *Flag) ReleasedVariant() string {
	if p := f.Progressive; p != nil && p.Variant != "" {
		return p.Variant
	}
	for _, name := range f.VariantNames() {
		if name != f.Default {
			return name
		}
	}
	return ""
}

func (p *FlagProgressive) clone() *FlagProgressive {
	if p == nil {
		return nil
	}
	c := *p
	c.Steps = slices.Clone(p.Steps)
	c.Analysis = p.Analysis.clone()
	return &c
}

// progressive checks a flag's progressive release; path is flags.KEY.
func (v *validator) progressive(path string, f *Flag) {
	p := f.Progressive
	if p == nil {
		return
	}
	path += ".progressive"
	names := f.VariantNames()
	switch {
	case p.Variant != "" && p.Variant == f.Default:
		v.addf(path+".variant", "%q is the flag's default, which everyone else is served: release another variant", p.Variant)
	case p.Variant != "":
		v.variantRef(path+".variant", "the variant released", p.Variant, names)
	case len(names) != 2:
		v.addf(path+".variant", "required for a flag of %d variants: the variant to release", len(names))
	}
	switch services := v.app.Services; {
	case p.Service == "":
		v.addf(path+".service", "required: the service that reads the flag (its rollout is waited for, its metrics judged)")
	case services != nil && services[p.Service] == nil:
		known := sortedNames(services)
		v.addf(path+".service", "unknown service %q%s; services: %s", p.Service, didYouMean(p.Service, known), nameList(known))
	}
	if len(p.Steps) == 0 {
		v.addf(path+".steps", "at least one step is required, like [{percent: 10, bake: 5m}, {percent: 100}]")
	}
	last := -1.0
	for i, st := range p.Steps {
		sp := path + ".steps[" + strconv.Itoa(i) + "]"
		if _, ok := Thousandths(st.Percent); !ok {
			v.addf(sp+".percent", "must be a percentage 0..100 with at most three decimals; got %g", st.Percent)
		} else if st.Percent < last {
			v.addf(sp+".percent", "must not go down (%g after %g): a release only adds subjects", st.Percent, last)
		}
		last = st.Percent
		v.nonNegative(sp+".bake", st.Bake)
	}
	if a := p.Analysis; a != nil {
		v.analysis(path+".analysis", a)
		for i, m := range a.Metrics {
			if m.Compares() {
				v.addf(path+".analysis.metrics["+strconv.Itoa(i)+"].compare", "a flag release has no baseline to compare with: judge the metric with successCondition")
			}
		}
	}
}
