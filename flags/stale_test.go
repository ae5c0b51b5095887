package flags

import (
	"strings"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

func TestStale(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	release := func(rollout map[string]float64, rules ...spec.FlagRule) *spec.Flag {
		return &spec.Flag{Class: spec.ClassRelease, Type: spec.TypeBoolean, Default: "off", Rollout: rollout, Rules: rules}
	}
	tests := []struct {
		name   string
		f      *spec.Flag
		o      Override
		u      Usage
		stale  bool
		reason string
	}{
		{"release at 100% for 31 days", release(map[string]float64{"on": 100}), Override{},
			Usage{Changed: ago(31 * day), Evaluated: ago(time.Hour)}, true, "has served variant on to everyone for 31d (staleAfter 30d)"},
		{"release at 100% for 29 days", release(map[string]float64{"on": 100}), Override{},
			Usage{Changed: ago(29 * day), Evaluated: ago(time.Hour)}, false, ""},
		{"release at 0% (default only)", release(map[string]float64{"on": 0, "off": 100}), Override{},
			Usage{Changed: ago(40*day + 5*time.Hour), Evaluated: now}, true, "has served variant off to everyone for 40d5h"},
		{"release mid-rollout", release(map[string]float64{"on": 50, "off": 50}), Override{},
			Usage{Changed: ago(300 * day), Evaluated: now}, false, ""},
		{"rule serving the other variant", release(map[string]float64{"on": 100}, spec.FlagRule{If: "ctx.a", Serve: "off"}), Override{},
			Usage{Changed: ago(300 * day), Evaluated: now}, false, ""},
		{"rule serving the same variant", release(map[string]float64{"on": 100}, spec.FlagRule{If: "ctx.a", Serve: "on"}), Override{},
			Usage{Changed: ago(300 * day), Evaluated: now}, true, "variant on"},
		{"no rollout: the default", release(nil), Override{}, Usage{Changed: ago(31 * day), Evaluated: now}, true, "variant off"},
		{"override rolled it out to everyone", release(map[string]float64{"on": 10, "off": 90}), Override{Rollout: map[string]float64{"on": 100}},
			Usage{Changed: ago(31 * day), Evaluated: now}, true, "variant on"},
		{"killed", release(map[string]float64{"on": 10, "off": 90}), Override{Killed: true},
			Usage{Changed: ago(31 * day), Evaluated: now}, true, "variant off"},
		{"not evaluated", release(map[string]float64{"on": 50, "off": 50}), Override{},
			Usage{Changed: ago(100 * day), Evaluated: ago(31 * day)}, true, "not evaluated for 31d (staleAfter 30d)"},
		{"never evaluated", release(map[string]float64{"on": 50, "off": 50}), Override{},
			Usage{Changed: ago(30 * day)}, true, "never evaluated since it changed for 30d"},
		{"experiment lives 90 days", &spec.Flag{Class: spec.ClassExperiment, Type: spec.TypeBoolean, Default: "off"}, Override{},
			Usage{Changed: ago(89 * day), Evaluated: ago(89 * day)}, false, ""},
		{"experiment past 90 days", &spec.Flag{Class: spec.ClassExperiment, Type: spec.TypeBoolean, Default: "off"}, Override{},
			Usage{Changed: ago(91 * day), Evaluated: now}, true, "staleAfter 90d"},
		{"permission never", &spec.Flag{Class: spec.ClassPermission, Type: spec.TypeBoolean, Default: "off"}, Override{},
			Usage{Changed: ago(1000 * day)}, false, ""},
		{"operational never", &spec.Flag{Class: spec.ClassOperational, Type: spec.TypeBoolean, Default: "off"}, Override{Killed: true},
			Usage{Changed: ago(1000 * day)}, false, ""},
		{"release set to never", &spec.Flag{Class: spec.ClassRelease, Type: spec.TypeBoolean, Default: "off", StaleAfter: spec.Never()}, Override{},
			Usage{Changed: ago(1000 * day)}, false, ""},
		{"operational with a lifetime", &spec.Flag{Class: spec.ClassOperational, Type: spec.TypeBoolean, Default: "off", StaleAfter: spec.Period{Duration: 7 * day}}, Override{},
			Usage{Changed: ago(8 * day), Evaluated: now}, true, "staleAfter 7d"},
		{"prerequisites can fail", &spec.Flag{Class: spec.ClassRelease, Type: spec.TypeBoolean, Default: "off", Rollout: map[string]float64{"on": 100},
			Prerequisites: []spec.Prerequisite{{Flag: "x", Variant: "on"}}}, Override{}, Usage{Changed: ago(300 * day), Evaluated: now}, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stale, reason := Stale(tc.f, tc.o, tc.u, now)
			if stale != tc.stale || !strings.Contains(reason, tc.reason) || (!stale && reason != "") {
				t.Errorf("Stale = %v, %q; want %v, ...%s...", stale, reason, tc.stale, tc.reason)
			}
		})
	}
}
