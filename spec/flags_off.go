package spec

import (
	"fmt"
	"slices"
)

// What a disabled or killed flag serves: its `off:` variant.
//
//	payments:
//	  class: operational
//	  type: string
//	  variants: {stripe: stripe, adyen: adyen, none: ""}
//	  default: stripe
//	  off: none            # what `slipway flags kill payments` serves
//
// A boolean flag needs no off: it defaults to its variant whose value is
// false. Any other flag may leave it out, and then serves its default
// when disabled or killed, except an operational flag (a kill switch):
// it must say what a kill serves.

// OffVariant returns the variant the flag serves when it is disabled or
// killed: Off when set; otherwise, for a boolean flag, its variant whose
// value is false (the first by name when several are); otherwise the
// default.
//
// This is the one place that reads a flag without Off, which is also how
// a flag stored before `off` existed is read (flag revisions in the
// store are not migrated): a boolean one killed then serves false, as
// it should have; any other keeps serving its default when killed, and
// the next plan warns about it when it is operational (OffWarnings).
func (f *Flag) OffVariant() string {
	if f.Off != "" {
		return f.Off
	}
	if name, ok := f.implicitOff(); ok {
		return name
	}
	return f.Default
}

// OffUnset reports whether nothing but the default says what the flag
// serves when disabled or killed: no off, and not a boolean flag with a
// variant whose value is false.
func (f *Flag) OffUnset() bool {
	if f.Off != "" {
		return false
	}
	_, ok := f.implicitOff()
	return !ok
}

// implicitOff returns a boolean flag's variant whose value is false (the
// implicit off of {on: true, off: false} without variants).
func (f *Flag) implicitOff() (string, bool) {
	if f.Type != TypeBoolean {
		return "", false
	}
	if len(f.Variants) == 0 {
		return VariantOff, true
	}
	for _, name := range sortedNames(f.Variants) {
		if v, err := TypeBoolean.Convert(f.Variants[name].Value); err == nil && v == false {
			return name, true
		}
	}
	return "", false
}

// offRef checks a flag's off: a declared variant, and written for an
// operational flag that has no false variant. Flags read from the store
// (v.stored) may lack it: they were stored before `off` existed.
func (v *validator) offRef(p string, f *Flag, names []string) {
	path := p + ".off"
	switch {
	case f.Off != "" || v.set(path):
		v.variantRef(path, "the variant served when the flag is disabled or killed", f.Off, names)
	case f.Class == ClassOperational && f.OffUnset() && !v.stored && f.Type.known():
		v.addf(path, "required for an operational flag of type %s%s: the variant a kill or disable serves, one of %s",
			f.Type, noFalseVariant(f), nameList(names))
	}
}

// noFalseVariant explains why a boolean flag has no implicit off.
func noFalseVariant(f *Flag) string {
	if f.Type == TypeBoolean {
		return " without a variant whose value is false"
	}
	return ""
}

// OffWarnings warns about the flags that were stored before `off`
// existed and need one (operational flags of a type other than boolean,
// or without a false variant): killed or disabled, they serve their
// default until an apply gives them an off. stored are the flags as
// served, next those of the spec to apply. Sorted by key.
func OffWarnings(stored, next map[string]*Flag) []string {
	var out []string
	for _, key := range sortedNames(stored) {
		old, nf := stored[key], next[key]
		if old == nil || nf == nil || !old.OffUnset() || (old.Class != ClassOperational && nf.Class != ClassOperational) {
			continue
		}
		msg := fmt.Sprintf("flags.%s: stored before flags had off: a kill or disable serves its default, %q", key, old.Default)
		if off := nf.OffVariant(); !nf.OffUnset() && slices.Contains(nf.VariantNames(), off) {
			msg += fmt.Sprintf(", until this apply makes it serve off: %s", off)
		} else {
			msg += "; add off: naming the variant a kill should serve"
		}
		out = append(out, msg)
	}
	return out
}
