package ofrep_test

import (
	"testing"

	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
)

// TestInterop runs the OpenFeature Go SDK with its OFREP provider (v0.1.7)
// against the handler. The target is the only thing that knows what serves
// the flags: the e2e test runs ofreptest.Run against the real server.
func TestInterop(t *testing.T) {
	t.Run("with keys", func(t *testing.T) {
		srv, _ := start(t, ofreptest.Fixture(), func(c *ofrep.Config) {
			c.AllowAnonymous, c.CheckKey = false, ofrep.StaticKeys("k-interop")
		})
		ofreptest.Run(t, ofreptest.Target{URL: srv.URL, Key: "k-interop"})
	})
	t.Run("anonymous", func(t *testing.T) {
		srv, _ := start(t, ofreptest.Fixture(), nil)
		ofreptest.Run(t, ofreptest.Target{URL: srv.URL})
	})
}
