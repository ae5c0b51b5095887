package spec

import "reflect"

// DiffFlags compares the effective settings of two sets of flags by key
// (what `slipway plan` shows under flags): variants.on, rules[0].if,
// rollout.on, enabled... The change set's names are flag keys.
func DiffFlags(old, new map[string]*Flag) ChangeSet { return diffNamed(old, new, flattenFlag) }

// DiffSegments compares two sets of segments by name.
func DiffSegments(old, new map[string]*Segment) ChangeSet {
	return diffNamed(old, new, flattenSegment)
}

// flattenFlag lists a flag's effective settings as dotted paths.
func flattenFlag(f *Flag) []setting {
	if f == nil {
		return nil
	}
	eff := f.Clone()
	eff.ApplyDefaults()
	var out []setting
	flattenValue(reflect.ValueOf(eff).Elem(), "", &out)
	return out
}

func flattenSegment(s *Segment) []setting {
	if s == nil {
		return nil
	}
	var out []setting
	flattenValue(reflect.ValueOf(s).Elem(), "", &out)
	return out
}
