package flags

// evaluate runs the flag's evaluation order for c: disabled (the off
// variant) -> prerequisites -> rules in order -> percentage rollout -> default.
func (f *flag) evaluate(c Context, vars *map[string]any) Result {
	v, reason, code := f.decide(c, vars)
	if code != "" {
		return Result{Key: f.key, Reason: ReasonError, ErrorCode: code, ErrorDetails: f.keyMissing, Metadata: f.metadata}
	}
	return Result{Key: f.key, Value: f.variants[v].value, Variant: f.variants[v].name, Reason: reason, Metadata: f.metadata}
}

// decide returns the variant served and why, or an error code (the only
// one a compiled flag can produce: TARGETING_KEY_MISSING).
func (f *flag) decide(c Context, vars *map[string]any) (int, Reason, ErrorCode) {
	switch {
	case f.disabled:
		return f.off, ReasonDisabled, ""
	case f.static:
		return f.def, ReasonStatic, ""
	case !f.prerequisitesMet(c, vars):
		return f.def, ReasonDefault, ""
	}
	for i := range f.rules {
		if f.rules[i].match(c, vars) {
			return f.rules[i].serve, ReasonTargetingMatch, ""
		}
	}
	if f.split.empty() {
		return f.def, ReasonDefault, ""
	}
	if v, ok := f.split.only(); ok {
		return v, ReasonSplit, ""
	}
	var buf [256]byte
	in, ok := stickyValue(c, f.stickiness, append(buf[:0], f.hashPrefix...))
	if !ok {
		return 0, ReasonError, ErrTargetingKeyMissing
	}
	return f.split.pick(bucketOf(in)), ReasonSplit, ""
}

// prerequisitesMet reports whether every prerequisite flag serves its
// variant for c. One that fails to evaluate is not met.
func (f *flag) prerequisitesMet(c Context, vars *map[string]any) bool {
	for _, p := range f.prereqs {
		v, _, code := p.flag.decide(c, vars)
		if code != "" || v != p.variant {
			return false
		}
	}
	return true
}

// match reports whether every condition of the rule holds.
func (r *rule) match(c Context, vars *map[string]any) bool {
	for _, k := range r.conds {
		if !k.match(c, vars) {
			return false
		}
	}
	return true
}
