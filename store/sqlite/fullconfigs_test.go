package sqlite

import (
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

func fullConfigVersion() store.ConfigVersion {
	values := spec.ConfigValues{"timeoutMs": 2000.0, "limits": map[string]any{"perUser": 5.0, "tags": []any{"a", true}}}
	return store.ConfigVersion{
		Name: "invoice-settings", Version: 3,
		Spec: &spec.Config{
			Service: "invoice", Schema: "/srv/shop/config/invoice.schema.json",
			Rules: []string{"config.timeoutMs <= 30000"}, Validate: []string{"./scripts/check-config", "--strict"},
			ValidateTimeout: dur("10s"), Values: values, Signal: "SIGHUP",
			Delivery: spec.ConfigDelivery{
				Strategy: spec.ConfigStrategy{Linear: &spec.LinearDelivery{Steps: 4, Interval: dur("1m")},
					Exponential: &spec.ExponentialDelivery{Factor: 2, Interval: dur("30s")}, AllAtOnce: &spec.AllAtOnceDelivery{}},
				Bake: dur("5m"), Analysis: fullAnalysisSpec(),
			},
		},
		Schema: `{"type":"object"}`, Dir: "/srv/shop",
		Values: spec.ConfigValues{"timeoutMs": 3000.0}, Source: store.ConfigFromRollback, From: 1, Revision: 7,
		By: "token:ops", Reason: "rolled back to v1", CreatedAt: at(40),
	}
}

func fullConfigDelivery() store.ConfigDelivery {
	return store.ConfigDelivery{
		Name: "invoice-settings", Version: 3, Previous: 2, Revision: 7, Phase: store.DeliveryRolledBack,
		Step: 2, StepStarted: at(41), Targets: []string{"invoice-1-abc", "invoice-1-def"},
		Applied: map[string]int{"invoice-1-abc": 3, "invoice-1-def": 2}, Analysis: fullAnalysisRun(2),
		Reason: "analysis failed: ok 0.7 < 0.99", By: "token:ops", Started: at(42), Ended: at(43),
	}
}
