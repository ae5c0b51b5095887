package ofrep_test

import (
	"testing"

	"github.com/slipway-dev/slipway/flags"
	"github.com/slipway-dev/slipway/flags/ofrep"
	"github.com/slipway-dev/slipway/flags/ofrep/ofreptest"
	"github.com/slipway-dev/slipway/spec"
)

// compiled serves a flags.Set that never changes.
type compiled struct{ *flags.Set }

var _ ofrep.Evaluator = compiled{}

func (compiled) Version() string          { return "1" }
func (compiled) Changed() <-chan struct{} { return nil }

// TestInteropEngine runs the interop suite against the handler over the
// real engine, compiled from ofreptest.FlagsYAML.
func TestInteropEngine(t *testing.T) {
	app, err := spec.Parse("slipway.yaml", []byte("app: shop\nservices:\n  web:\n    run: [./web]\n"+ofreptest.FlagsYAML))
	if err != nil {
		t.Fatal(err)
	}
	set, err := flags.CompileApp(app, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := start(t, compiled{set}, func(c *ofrep.Config) {
		c.AllowAnonymous, c.CheckKey = false, ofrep.StaticKeys("k")
	})
	ofreptest.Run(t, ofreptest.Target{URL: srv.URL, Key: "k", Skip: ofreptest.EngineSkips})
}
