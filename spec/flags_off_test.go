package spec

import (
	"errors"
	"reflect"
	"testing"
)

func TestOffVariant(t *testing.T) {
	boolean := func(variants map[string]FlagValue, def, off string) *Flag {
		return &Flag{Class: ClassOperational, Type: TypeBoolean, Variants: variants, Default: def, Off: off}
	}
	tests := []struct {
		name  string
		flag  *Flag
		want  string
		unset bool
	}{
		{"boolean, implicit variants", boolean(nil, "on", ""), "off", false},
		{"boolean, the false variant", boolean(map[string]FlagValue{"enabled": {true}, "disabled": {false}}, "enabled", ""), "disabled", false},
		{"boolean, two false variants: first by name", boolean(map[string]FlagValue{"y": {false}, "x": {false}, "on": {true}}, "on", ""), "x", false},
		{"boolean, no false variant: the default", boolean(map[string]FlagValue{"yes": {true}}, "yes", ""), "yes", true},
		{"boolean, explicit off wins", boolean(nil, "off", "on"), "on", false},
		{"string without off: the default", &Flag{Type: TypeString, Variants: map[string]FlagValue{"a": {"x"}, "b": {"y"}}, Default: "a"}, "a", true},
		{"string with off", &Flag{Type: TypeString, Variants: map[string]FlagValue{"a": {"x"}, "b": {"y"}}, Default: "a", Off: "b"}, "b", false},
		{"object without off", &Flag{Type: TypeObject, Variants: map[string]FlagValue{"a": {map[string]any{}}}, Default: "a"}, "a", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.flag.OffVariant(); got != tc.want {
				t.Errorf("OffVariant() = %q, want %q", got, tc.want)
			}
			if got := tc.flag.OffUnset(); got != tc.unset {
				t.Errorf("OffUnset() = %v, want %v", got, tc.unset)
			}
			eff := tc.flag.Clone()
			eff.ApplyDefaults()
			if got := eff.OffVariant(); got != tc.want {
				t.Errorf("after ApplyDefaults, OffVariant() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOffDefaultsOnlyForBooleans(t *testing.T) {
	app := mustParse(t, web+`flags:
  kill:
    class: operational
    type: boolean
    variants: {enabled: true, disabled: false}
    default: enabled
  tuning:
    class: operational
    type: string
    variants: {fast: fast, safe: safe}
    default: fast
    off: safe
  theme:
    class: experiment
    type: string
    variants: {plain: plain, fancy: fancy}
    default: plain
`)
	got := map[string]string{}
	for key, f := range app.Flags {
		got[key] = f.Off
	}
	want := map[string]string{"kill": "disabled", "tuning": "safe", "theme": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("off = %v, want %v", got, want)
	}
}

// TestStoredFlagsMayLackOff: flags stored before off existed compile (an
// operational string flag without off), but not a bad off.
func TestStoredFlagsMayLackOff(t *testing.T) {
	stored := map[string]*Flag{"tuning": {Class: ClassOperational, Type: TypeString,
		Variants: map[string]FlagValue{"fast": {"fast"}, "safe": {"safe"}}, Default: "fast"}}
	if err := ValidateFlags(stored, nil, Options{}); err != nil {
		t.Errorf("stored flag without off: %v", err)
	}
	stored["tuning"].Off = "slow"
	err := ValidateFlags(stored, nil, Options{})
	var ps *Problems
	if !errors.As(err, &ps) || err.Error() != `flags.tuning.off: unknown variant "slow"; variants: fast, safe` {
		t.Errorf("stored flag with a bad off: %v", err)
	}
}

func TestOffWarnings(t *testing.T) {
	str := func(class FlagClass, off string) *Flag {
		return &Flag{Class: class, Type: TypeString, Variants: map[string]FlagValue{"fast": {"fast"}, "safe": {"safe"}}, Default: "fast", Off: off}
	}
	stored := map[string]*Flag{
		"kill":     {Class: ClassOperational, Type: TypeBoolean, Default: "on"},
		"tuning":   str(ClassOperational, ""),
		"stays":    str(ClassOperational, ""),
		"theme":    str(ClassExperiment, ""),
		"has-off":  str(ClassOperational, "safe"),
		"removed":  str(ClassOperational, ""),
		"promoted": str(ClassRelease, ""),
	}
	next := map[string]*Flag{
		"kill":     {Class: ClassOperational, Type: TypeBoolean, Default: "on"},
		"tuning":   str(ClassOperational, "safe"),
		"stays":    str(ClassOperational, ""),
		"theme":    str(ClassExperiment, ""),
		"has-off":  str(ClassOperational, "safe"),
		"promoted": str(ClassOperational, "safe"),
	}
	want := []string{
		`flags.promoted: stored before flags had off: a kill or disable serves its default, "fast", until this apply makes it serve off: safe`,
		`flags.stays: stored before flags had off: a kill or disable serves its default, "fast"; add off: naming the variant a kill should serve`,
		`flags.tuning: stored before flags had off: a kill or disable serves its default, "fast", until this apply makes it serve off: safe`,
	}
	if got := OffWarnings(stored, next); !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}
