package cli_test

import (
	"time"

	"github.com/slipway-dev/slipway/api"
)

var (
	flagChanged   = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	flagEvaluated = time.Date(2026, 11, 26, 21, 59, 12, 0, time.UTC)
)

// newCheckout is a release flag on for its rules, then rolled out to 25%,
// with a run-time change on top of the spec.
func newCheckout() api.Flag {
	return api.Flag{
		Key: "new-checkout", Class: "release", Type: "boolean", Description: "The one-page checkout",
		Owner: "payments-team", Enabled: true, Default: "off", Off: "off", Variants: map[string]any{"on": true, "off": false},
		Rules: []api.FlagRule{
			{If: `ctx.country == "NL" && ctx.plan in ["pro", "team"]`, Serve: "on"},
			{Segment: "beta-testers", Serve: "on"},
		},
		Rollout: map[string]float64{"on": 25, "off": 75}, Stickiness: "targetingKey", Overridden: true,
		Changed: flagChanged, Evaluated: flagEvaluated, Revision: 7,
	}
}

// searchCache is an operational kill switch whose default is on, killed:
// it serves its off variant.
func searchCache() api.Flag {
	return api.Flag{
		Key: "search-cache", Class: "operational", Type: "boolean", Owner: "search-team", Enabled: true, Killed: true,
		Default: "on", Off: "off", Variants: map[string]any{"on": true, "off": false}, Rollout: map[string]float64{"on": 100, "off": 0},
		Stickiness: "targetingKey", Overridden: true, Changed: flagChanged, Revision: 7,
	}
}

// bannerColor is a stale release flag of strings, serving one variant.
func bannerColor() api.Flag {
	return api.Flag{
		Key: "banner-color", Class: "release", Type: "string", Enabled: true, Default: "blue", Off: "blue", OffUnset: true,
		Variants: map[string]any{"blue": "#0000ff", "red": "#ff0000"}, Stickiness: "targetingKey",
		Changed: flagChanged, Stale: true,
		StaleReason: "has served variant blue to everyone for 45d (staleAfter 30d): remove it from the code and the spec",
		Revision:    7,
	}
}

// proPricing is a disabled permission flag behind a prerequisite.
func proPricing() api.Flag {
	return api.Flag{
		Key: "pro-pricing", Class: "permission", Type: "string", Owner: "growth", Default: "standard", Off: "standard", OffUnset: true,
		Variants: map[string]any{"standard": "std", "pro": "pro-v2"}, Prerequisites: []string{"new-checkout=on"},
		Rules: []api.FlagRule{{Segment: "pro-customers", If: "ctx.seats > 10", Serve: "pro"}}, Stickiness: "account",
		Changed: flagChanged, Evaluated: flagEvaluated, Revision: 7,
	}
}

func shopFlags() []api.Flag {
	return []api.Flag{bannerColor(), newCheckout(), proPricing(), searchCache()}
}
