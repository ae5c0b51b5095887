package spec

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse checks that Parse never panics, and that it returns either a
// valid, defaulted app or a *Problems with at least one problem.
func FuzzParse(f *testing.F) {
	shop, err := os.ReadFile("../examples/slipway.yaml")
	if err != nil {
		f.Fatal(err)
	}
	seeds := []string{
		string(shop),
		web,
		"",
		"app: a\nservices: {x: {run: [a], dependsOn: [x]}}",
		"a: &a [*a]\n",
		"app: a\nx-b: &b {run: [x]}\nservices: {w: {<<: *b}}\n",
		"app: a\nservices:\n  w: {run: [\"${A\"], resources: {memory: 1e3Mi}}\n",
		"- [",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		app, err := Parse("slipway.yaml", data)
		if err != nil {
			var ps *Problems
			if !errors.As(err, &ps) || len(*ps) == 0 {
				t.Fatalf("error %v is not a non-empty *Problems", err)
			}
			_ = err.Error()
			return
		}
		if err := app.Validate(); err != nil {
			t.Fatalf("defaulted app no longer validates: %v", err)
		}
		order := TopoOrder(app.Services)
		if len(order) != len(app.Services) {
			t.Fatalf("TopoOrder = %v for %d services", order, len(app.Services))
		}
		for _, s := range app.Services {
			if !Equal(s, s.Clone()) {
				t.Fatalf("clone of %s differs", s.Name)
			}
		}
	})
}
