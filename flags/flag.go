package flags

import (
	"slices"

	"github.com/slipway-dev/slipway/spec"
)

// flag is one compiled flag, its override applied. Variants are indexed
// in name order.
type flag struct {
	key        string
	hashPrefix string // key + "/": the start of every bucket's hash input
	variants   []variant
	def        int  // the default variant
	off        int  // the variant served disabled or killed (spec.Flag.OffVariant)
	disabled   bool // Enabled false, or killed
	static     bool // no prerequisite, rule or split: always the default
	prereqs    []prereq
	rules      []rule
	split      split
	stickiness string
	metadata   map[string]any // shared by every Result: read-only
	// keyMissing is the ErrorDetails of TARGETING_KEY_MISSING, built
	// once so that the error costs no allocation either.
	keyMissing string
}

type variant struct {
	name  string
	value any
}

// prereq is met when flag serves variant.
type prereq struct {
	flag    *flag
	variant int
}

// rule matches when every condition does (its if, its segment's if).
type rule struct {
	conds []*condition
	serve int
}

// newFlag compiles a validated flag with its override; conds holds every
// condition, compiled, by expression. Prerequisites are linked after
// every flag exists (link).
func newFlag(key string, f *spec.Flag, o Override, segments map[string]*spec.Segment, conds map[string]*condition) *flag {
	eff := o.Apply(f)
	names := eff.VariantNames()
	c := &flag{
		key:        key,
		hashPrefix: key + "/",
		def:        slices.Index(names, eff.Default),
		off:        slices.Index(names, eff.OffVariant()),
		disabled:   !eff.IsEnabled(),
		stickiness: eff.Stickiness,
		metadata:   metadata(eff, o),
		keyMissing: "flag " + key + " splits by " + eff.Stickiness + ", which the context does not have",
	}
	for _, name := range names {
		v, _ := eff.Type.Convert(eff.Variants[name].Value) // validated
		c.variants = append(c.variants, variant{name, v})
	}
	for _, r := range eff.Rules {
		cr := rule{serve: slices.Index(names, r.Serve)}
		if r.If != "" {
			cr.conds = append(cr.conds, conds[r.If])
		}
		if r.Segment != "" {
			cr.conds = append(cr.conds, conds[segments[r.Segment].If])
		}
		c.rules = append(c.rules, cr)
	}
	shares := make(map[string]int64, len(eff.Rollout))
	for name, p := range eff.Rollout {
		shares[name], _ = spec.Thousandths(p) // validated
	}
	c.split = newSplit(names, shares)
	c.static = len(eff.Prerequisites) == 0 && len(c.rules) == 0 && c.split.empty()
	return c
}

// link points the flag's prerequisites at the compiled flags.
func (c *flag) link(f *spec.Flag, all map[string]*flag) {
	for _, p := range f.Prerequisites {
		other := all[p.Flag]
		c.prereqs = append(c.prereqs, prereq{flag: other, variant: other.variantIndex(p.Variant)})
	}
}

func (c *flag) variantIndex(name string) int {
	for i, v := range c.variants {
		if v.name == name {
			return i
		}
	}
	return -1
}

// metadata is what every result of the flag carries: class, type, and
// owner and killed when set.
func metadata(f *spec.Flag, o Override) map[string]any {
	m := map[string]any{"class": string(f.Class), "type": string(f.Type)}
	if f.Owner != "" {
		m["owner"] = f.Owner
	}
	if o.Killed {
		m["killed"] = true
	}
	return m
}
