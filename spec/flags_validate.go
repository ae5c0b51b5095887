package spec

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ValidateFlags checks flags and segments that did not come from a
// parsed spec (the store's records, the API's JSON), with the same rules
// as Validate, and returns every problem as a *Problems error, or nil.
// Paths start at flags.KEY and segments.NAME; there are no lines. One
// rule is relaxed: an operational flag may lack off, as those stored
// before off existed do (see Flag.OffVariant).
func ValidateFlags(flags map[string]*Flag, segments map[string]*Segment, opts Options) error {
	v := newValidator(&App{Flags: flags, Segments: segments})
	v.opts, v.stored = opts, true
	v.flags()
	return v.probs.err()
}

// flagKeyRule says what a valid flag, segment or variant name is.
const flagKeyRule = "use letters, digits, '-', '_' and '.', starting and ending with a letter or digit, at most 128 characters"

var flagKeyPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)

// IsFlagKey reports whether s is a valid flag key, segment or variant
// name. Keys go in OFREP URLs and SDK calls (newCheckout, new-checkout,
// checkout.v2 and new_checkout are all fine); '/' is left out because
// it separates the flag key from the stickiness value in a bucket's hash
// input, and a URL path segment is simpler without it.
func IsFlagKey(s string) bool { return len(s) <= 128 && flagKeyPattern.MatchString(s) }

// flags checks the flags and segments sections.
func (v *validator) flags() {
	a := v.app
	for _, name := range sortedNames(a.Segments) {
		v.segment(name, a.Segments[name])
	}
	for _, key := range sortedNames(a.Flags) {
		if v.probs.full() {
			return
		}
		v.flag(key, a.Flags[key])
	}
	v.caseClashes("flags", sortedNames(a.Flags))
	v.caseClashes("segments", sortedNames(a.Segments))
	for _, cycle := range prerequisiteCycles(a.Flags) {
		v.addf("flags."+cycle[0]+".prerequisites", "prerequisite cycle: %s", strings.Join(cycle, " -> "))
	}
}

func (v *validator) segment(name string, s *Segment) {
	p := "segments." + name
	if !IsFlagKey(name) {
		v.addf(p, "invalid segment name %q: %s", name, flagKeyRule)
	}
	if s == nil {
		v.addf(p, "empty segment: if is required, like {if: 'ctx.email.endsWith(\"@shop.example\")'}")
		return
	}
	v.flagExpr(p+".if", s.If)
}

// flag checks one flag; paths start at flags.KEY.
func (v *validator) flag(key string, f *Flag) {
	p := "flags." + key
	if !IsFlagKey(key) {
		v.addf(p, "invalid flag key %q: %s", key, flagKeyRule)
	}
	if f == nil {
		v.addf(p, "empty flag: class, type and default are required")
		return
	}
	v.flagClass(p+".class", f.Class)
	v.flagType(p+".type", f.Type)
	v.variants(p, f)
	names := f.VariantNames()
	v.variantRef(p+".default", "the variant served when nothing else decides", f.Default, names)
	v.offRef(p, f, names)
	for i, r := range f.Rules {
		v.rule(p+".rules["+strconv.Itoa(i)+"]", r, names)
	}
	v.rollout(p+".rollout", f.Rollout, names)
	if f.Stickiness == "" && v.set(p+".stickiness") {
		v.addf(p+".stickiness", "must name a context attribute, like targetingKey or userId")
	}
	for i, pr := range f.Prerequisites {
		v.prerequisite(p+".prerequisites["+strconv.Itoa(i)+"]", key, pr)
	}
	if d := f.StaleAfter.Duration; d < 0 || (d == 0 && v.set(p+".staleAfter")) {
		v.addf(p+".staleAfter", "must be > 0, like 30d, or never; got %s", f.StaleAfter)
	}
	v.progressive(p, f)
}

func (v *validator) flagClass(path string, c FlagClass) {
	switch {
	case c == "":
		v.addf(path, "required: one of %s", strings.Join(FlagClasses(), ", "))
	case !c.known():
		v.addf(path, "unknown class %q%s; valid: %s", c, didYouMean(string(c), FlagClasses()), strings.Join(FlagClasses(), ", "))
	}
}

func (v *validator) flagType(path string, t FlagType) {
	switch {
	case t == "":
		v.addf(path, "required: one of %s", strings.Join(FlagTypes(), ", "))
	case !t.known():
		v.addf(path, "unknown type %q%s; valid: %s", t, didYouMean(string(t), FlagTypes()), strings.Join(FlagTypes(), ", "))
	}
}

// variants checks the variants' names and that each value has the
// flag's type.
func (v *validator) variants(p string, f *Flag) {
	if len(f.Variants) == 0 && f.Type != TypeBoolean {
		v.addf(p+".variants", "at least one variant is required, like {small: 10, large: 50}")
	}
	for _, name := range sortedNames(f.Variants) {
		vp := p + ".variants." + name
		if !IsFlagKey(name) {
			v.addf(vp, "invalid variant name %q: %s", name, flagKeyRule)
		}
		if !f.Type.known() {
			continue
		}
		if _, err := f.Type.Convert(f.Variants[name].Value); err != nil {
			v.addf(vp, "%s", strings.TrimSuffix(err.Error(), ": "+errFlagType.Error()))
		}
	}
}

// variantRef checks a reference to a variant of the flag.
func (v *validator) variantRef(path, what, name string, variants []string) {
	switch {
	case name == "":
		v.addf(path, "required: %s, one of %s", what, nameList(variants))
	case !slices.Contains(variants, name):
		v.addf(path, "unknown variant %q%s; variants: %s", name, didYouMean(name, variants), nameList(variants))
	}
}

func (v *validator) rule(path string, r FlagRule, variants []string) {
	if r.If == "" && r.Segment == "" && !v.set(path+".if") {
		v.addf(path, "set if (a condition like ctx.country == \"NL\"), segment (a segment's name), or both")
	}
	if r.If != "" || v.set(path+".if") {
		v.flagExpr(path+".if", r.If)
	}
	if r.Segment != "" {
		if _, ok := v.app.Segments[r.Segment]; !ok {
			names := sortedNames(v.app.Segments)
			v.addf(path+".segment", "unknown segment %q%s; segments: %s",
				r.Segment, didYouMean(r.Segment, names), orNone(nameList(names)))
		}
	}
	v.variantRef(path+".serve", "the variant served on a match", r.Serve, variants)
}

// rollout checks a percentage split: known variants, each share in
// 0..100 with at most three decimals, summing to 100.
func (v *validator) rollout(path string, split map[string]float64, variants []string) {
	if len(split) == 0 {
		return
	}
	var total int64
	ok := true
	for _, name := range sortedNames(split) {
		vp := path + "." + name
		if !slices.Contains(variants, name) {
			v.addf(vp, "unknown variant %q%s; variants: %s", name, didYouMean(name, variants), nameList(variants))
		}
		share, valid := Thousandths(split[name])
		if !valid {
			v.addf(vp, "must be a percentage 0..100 with at most three decimals, like 25 or 0.5; got %g", split[name])
			ok = false
		}
		total += share
	}
	if ok && total != 100_000 {
		v.addf(path, "percentages add up to %s, want 100", formatThousandths(total))
	}
}

// Thousandths returns a percentage in thousandths of a percent (25.5 ->
// 25500), and whether it is a valid share: in 0..100 with at most three
// decimals.
func Thousandths(percent float64) (int64, bool) {
	t := math.Round(percent * 1000)
	if percent < 0 || percent > 100 || math.IsNaN(percent) || math.Abs(t-percent*1000) > 1e-6 {
		return 0, false
	}
	return int64(t), true
}

func formatThousandths(t int64) string {
	return strconv.FormatFloat(float64(t)/1000, 'f', -1, 64)
}

func (v *validator) prerequisite(path, self string, pr Prerequisite) {
	flags := v.app.Flags
	keys := sortedNames(flags)
	switch other, known := flags[pr.Flag]; {
	case pr.Flag == "":
		v.addf(path+".flag", "required: the key of the flag this one depends on")
	case pr.Flag == self:
		v.addf(path+".flag", "a flag cannot be its own prerequisite")
	case !known:
		v.addf(path+".flag", "unknown flag %q%s; flags: %s", pr.Flag, didYouMean(pr.Flag, keys), nameList(keys))
	case other != nil:
		v.variantRef(path+".variant", "the variant "+pr.Flag+" must serve", pr.Variant, other.VariantNames())
	}
}

// flagExpr checks a condition with Options.CheckFlagExpr, when set.
func (v *validator) flagExpr(path, expr string) {
	if strings.TrimSpace(expr) == "" {
		v.addf(path, "must not be empty: a condition on ctx, like ctx.country == \"NL\"")
		return
	}
	if v.opts.CheckFlagExpr == nil {
		return
	}
	if err := v.opts.CheckFlagExpr(expr); err != nil {
		v.addf(path, "does not compile: %v", err)
	}
}

// caseClashes reports names that differ only in case: SDKs and people
// would mix them up.
func (v *validator) caseClashes(section string, names []string) {
	first := map[string]string{}
	for _, n := range names {
		low := strings.ToLower(n)
		if other, ok := first[low]; ok {
			v.addf(section+"."+n, "%q differs from %q only in case; keep one", n, other)
			continue
		}
		first[low] = n
	}
}

// prerequisiteCycles returns the cycles among flags' prerequisites,
// each starting and ending at its smallest key.
func prerequisiteCycles(flags map[string]*Flag) [][]string {
	var keys []string
	for _, k := range sortedNames(flags) {
		if flags[k] != nil {
			keys = append(keys, k)
		}
	}
	return cycles(keys, func(n string) []string {
		var out []string
		for _, pr := range flags[n].Prerequisites {
			if flags[pr.Flag] != nil && pr.Flag != n {
				out = append(out, pr.Flag)
			}
		}
		return out
	})
}

func orNone(s string) string {
	if s == "" {
		return "(none defined)"
	}
	return s
}

// String names the class.
func (c FlagClass) String() string { return string(c) }

// String names the type.
func (t FlagType) String() string { return string(t) }
