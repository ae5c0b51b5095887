package stack

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

// releaseSpec is two services, each reading a config.
func releaseSpec(webVersion, webTimeout, webRules, apiTimeout string) string {
	return `app: shop
services:
  web: {run: [./web], env: {VERSION: ` + webVersion + `}}
  api: {run: [./api]}
configs:
  web-settings:
    service: web
    rules: [` + webRules + `]
    values: {timeoutMs: ` + webTimeout + `}
  api-settings:
    service: api
    values: {timeoutMs: ` + apiTimeout + `}
`
}

// applyWithConfigs applies text as the API does: the config plan made
// outside the transaction, tied to the operation's revisions in it.
func applyWithConfigs(t *testing.T, s store.Store, text string) (ConfigPlan, *store.Operation, error) {
	t.Helper()
	app := parse(t, text)
	var plan ConfigPlan
	err := s.View(context.Background(), func(tx store.Tx) (err error) {
		plan, err = PlanConfigs(tx, app, nil, Source{File: "slipway.yaml"}, now)
		return err
	})
	if err != nil {
		return plan, nil, err
	}
	var op *store.Operation
	err = s.Update(context.Background(), func(tx store.Tx) error {
		if _, op, err = Apply(tx, app, Source{File: "slipway.yaml", Text: text}, now); err != nil {
			return err
		}
		if err := TieConfigs(tx, &plan, OperationMoves(op)); err != nil {
			return err
		}
		return ApplyConfigs(tx, plan, now)
	})
	return plan, op, err
}

// TestApplyTiesConfigToRevision: a config version goes with a revision
// only when the same apply changes both the service that reads it and
// the values its instances have.
func TestApplyTiesConfigToRevision(t *testing.T) {
	base := releaseSpec("v1", "2000", "'true'", "100")
	cases := []struct {
		name, spec string
		released   []ConfigRelease
	}{
		{"code and values", releaseSpec("v2", "3000", "'true'", "100"),
			[]ConfigRelease{{Config: "web-settings", Service: "web", Revision: 2, Keeps: 1}}},
		{"values only", releaseSpec("v1", "3000", "'true'", "100"), nil},
		{"code only", releaseSpec("v2", "2000", "'true'", "100"), nil},
		{"code, and another service's values", releaseSpec("v2", "2000", "'true'", "200"), nil},
		{"code, and the rules but not the values", releaseSpec("v2", "2000", "'config.timeoutMs > 0'", "100"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := store.NewMemory()
			_, op, err := applyWithConfigs(t, s, base)
			if err != nil {
				t.Fatal(err)
			}
			converge(t, s, op)
			plan, _, err := applyWithConfigs(t, s, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if len(plan.Released) != len(c.released) || len(c.released) > 0 && plan.Released[0] != c.released[0] {
				t.Fatalf("released %+v, want %+v", plan.Released, c.released)
			}
			err = s.View(context.Background(), func(tx store.Tx) error {
				v, err := tx.GetConfigVersion("web-settings", 0)
				if err != nil {
					return err
				}
				d, err := tx.GetConfigDelivery("web-settings")
				if len(c.released) == 0 {
					if v.Revision != 0 || err == nil && d.Revision != 0 {
						t.Errorf("tied: version %+v delivery %+v", v, d)
					}
					return nil
				}
				if err != nil {
					return err
				}
				if v.Revision != 2 || !strings.HasSuffix(v.Reason, "released with revision 2 of web") ||
					d.Version != 2 || d.Previous != 1 || d.Revision != 2 || d.Phase != store.DeliveryProgressing {
					t.Errorf("version %+v delivery %+v", v, d)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConfigInReleaseRefusesChanges: while its revision is in release, a
// released config takes no run-time change, no stop, and no new values
// from a file of configs only; every refusal says how to end the
// release.
func TestConfigInReleaseRefusesChanges(t *testing.T) {
	s := store.NewMemory()
	_, op, err := applyWithConfigs(t, s, releaseSpec("v1", "2000", "'true'", "100"))
	if err != nil {
		t.Fatal(err)
	}
	converge(t, s, op)
	if _, _, err := applyWithConfigs(t, s, releaseSpec("v2", "3000", "'true'", "100")); err != nil {
		t.Fatal(err)
	}
	refused := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "web-settings v2 goes with revision 2 of web, still in release") ||
			!strings.Contains(err.Error(), "slipway rollout abort web rolls both back") {
			t.Errorf("%s: %v", what, err)
		}
	}
	err = s.View(context.Background(), func(tx store.Tx) error {
		_, _, err := NextConfig(tx, "web-settings", ConfigEdit{RollbackTo: 1}, now)
		return err
	})
	refused("config rollback", err)
	err = s.Update(context.Background(), func(tx store.Tx) error {
		_, err := StopConfig(tx, "web-settings", "ops", "", now)
		return err
	})
	refused("config stop", err)
	configsOnly, _, _ := strings.Cut(releaseSpec("v2", "4000", "'true'", "100"), "  api-settings:")
	_, rest, _ := strings.Cut(configsOnly, "configs:")
	_, _, err = applyWithConfigs(t, s, "app: shop\nconfigs:"+rest)
	refused("a file of configs only", err)
}
