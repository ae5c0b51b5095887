package httpapi

import (
	"net/http"
	"testing"

	"github.com/slipway-dev/slipway/api"
	"github.com/slipway-dev/slipway/spec"
	"github.com/slipway-dev/slipway/store"
)

// TestInstanceCredentialReadsOnlyItsConfigs: an instance's own
// credential reads the configs its service reads, its own version, while
// the instance lives, in its environment; every other request, config,
// instance or environment is refused.
func TestInstanceCredentialReadsOnlyItsConfigs(t *testing.T) {
	tokens := tokenBook{
		"d":     {Name: "token:ci", Role: RoleDeployer},
		"mine":  {Name: "instance:invoice-1", Role: RoleEvaluator, Instance: "invoice-1", Env: spec.DefaultEnvironment},
		"other": {Name: "instance:order-1", Role: RoleEvaluator, Instance: "order-1", Env: spec.DefaultEnvironment},
		"gone":  {Name: "instance:invoice-9", Role: RoleEvaluator, Instance: "invoice-9", Env: spec.DefaultEnvironment},
		"prod":  {Name: "instance:invoice-1", Role: RoleEvaluator, Instance: "invoice-1", Env: "prod"},
	}
	a := newTestAPIWith(t, func(c *Config) { c.Tokens = tokens })
	if resp, body := a.do(t, "POST", "/v1/apply", "d", api.ApplyRequest{File: "slipway.yaml", Spec: configSpec, Dir: configDir(t)}); resp.StatusCode >= 300 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	err := a.store.Update(t.Context(), func(tx store.Tx) error {
		for _, in := range []store.Instance{{ID: "invoice-1", Service: "invoice", Revision: 1, State: store.InstanceRunning},
			{ID: "order-1", Service: "order", Revision: 1, State: store.InstanceRunning}} {
			if err := tx.PutInstance(in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	const values = "/v1/configs/invoice-settings/values"
	cases := []struct {
		path, token string
		want        int
	}{
		{values, "mine", http.StatusOK},
		{values + "?instance=invoice-1", "mine", http.StatusOK},
		{values + "?instance=order-1", "mine", http.StatusNotFound}, // not its own version
		{values, "other", http.StatusNotFound},                      // a config its service does not read
		{values, "gone", http.StatusForbidden},                      // the instance ended
		{values, "prod", http.StatusNotFound},                       // another environment's instance
		{"/v1/configs/invoice-settings", "mine", http.StatusForbidden},
		{"/v1/services", "mine", http.StatusForbidden},
		{"/v1/configs/invoice-settings/versions", "mine", http.StatusForbidden},
	}
	for _, c := range cases {
		if resp, body := a.do(t, "GET", c.path, c.token, nil); resp.StatusCode != c.want {
			t.Errorf("GET %s with %s: %d %s, want %d", c.path, c.token, resp.StatusCode, body, c.want)
		}
	}
	// The credential ends with the instance.
	if err := a.store.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteInstance("invoice-1") }); err != nil {
		t.Fatal(err)
	}
	if resp, body := a.do(t, "GET", values, "mine", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("after the instance ended: %d %s", resp.StatusCode, body)
	}
}
