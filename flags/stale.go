package flags

import (
	"fmt"
	"slices"
	"time"

	"github.com/slipway-dev/slipway/spec"
)

// Usage is what the server knows of a flag's life, for Stale.
type Usage struct {
	// Changed is when the flag (its spec or its override) last changed;
	// when it was created if it never did.
	Changed time.Time
	// Evaluated is when the flag was last evaluated; zero if never.
	Evaluated time.Time
}

// Stale reports whether a flag has outlived its purpose, and why: it
// has served one variant to everyone (a rollout at 0% or 100%, no rule
// serving anything else, or disabled or killed) since it last changed,
// for at least its StaleAfter; or it has not been evaluated for that
// long (counting from its last change when it never was). A flag whose
// StaleAfter is never (permission and operational flags, by default) is
// never stale. Pure: the caller passes the times.
func Stale(f *spec.Flag, o Override, u Usage, now time.Time) (bool, string) {
	eff := o.Apply(f)
	after := eff.StaleAfter
	if after.IsNever() || after.Duration <= 0 {
		return false, ""
	}
	if v, ok := ServesOne(f, o); ok {
		if d := now.Sub(u.Changed); d >= after.Duration {
			return true, fmt.Sprintf("has served variant %s to everyone for %s (staleAfter %s): remove it from the code and the spec",
				v, age(d), after)
		}
	}
	last, what := u.Evaluated, "not evaluated"
	if last.IsZero() {
		last, what = u.Changed, "never evaluated since it changed"
	}
	if d := now.Sub(last); d >= after.Duration {
		return true, fmt.Sprintf("%s for %s (staleAfter %s)", what, age(d), after)
	}
	return false, ""
}

// ServesOne returns the variant a flag serves to every context, when
// there is only one: the off variant when it is disabled or killed;
// otherwise when every rule, the rollout's variants with a share above
// 0 (or the default without a rollout) and the default if prerequisites
// can fail, are one variant.
func ServesOne(f *spec.Flag, o Override) (string, bool) {
	eff := o.Apply(f)
	if !eff.IsEnabled() {
		return eff.OffVariant(), true
	}
	var served []string
	if len(eff.Prerequisites) > 0 {
		served = append(served, eff.Default)
	}
	for _, r := range eff.Rules {
		served = append(served, r.Serve)
	}
	split := false
	for name, p := range eff.Rollout {
		if p > 0 {
			served, split = append(served, name), true
		}
	}
	if !split {
		served = append(served, eff.Default)
	}
	slices.Sort(served)
	if served = slices.Compact(served); len(served) == 1 {
		return served[0], true
	}
	return "", false
}

// age formats a duration in days and hours, like a Period.
func age(d time.Duration) string {
	return spec.Period{Duration: d.Truncate(time.Hour)}.String()
}
