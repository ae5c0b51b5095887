package spec

import (
	"errors"
	"os"
	"strings"
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
			for _, p := range *ps {
				checkProblem(t, p)
			}
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

// checkProblem checks that a problem says where: the file, a line, and
// a field path unless it is about the document as a whole (a YAML
// syntax error, a document that is not a mapping: those have none).
func checkProblem(t *testing.T, p Problem) {
	t.Helper()
	if p.File != "slipway.yaml" || p.Line < 1 || p.Message == "" {
		t.Fatalf("problem %+v lacks its file, line or message", p)
	}
	if p.Path == "" && !documentProblem(p.Message) {
		t.Fatalf("problem %+v names no field", p)
	}
}

// documentProblem reports whether a message is about the document as a
// whole rather than a field.
func documentProblem(msg string) bool {
	for _, prefix := range []string{"invalid YAML", "top level", "only one YAML document", "file is",
		`unknown field ""`,             // a top-level key "": its path is the empty key
		"keys must be plain strings"} { // a key of the top-level mapping: its path is the mapping's, ""
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}
