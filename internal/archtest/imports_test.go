// Package archtest checks the shape of the code base: which packages may
// import which. It holds tests only.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/slipway-dev/slipway/"

// forbidden are the layers: a package under a key may not import any listed
// package (or its subpackages).
var forbidden = map[string][]string{
	"spec":                {"store", "workload", "health", "rollout", "stack", "server", "httpapi", "cli", "client"},
	"store":               {"workload", "health", "rollout", "stack", "server", "httpapi", "cli", "client"},
	"workload":            {"health", "rollout", "stack", "server", "httpapi", "cli", "client"},
	"health":              {"store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client"},
	"rollout":             {"server", "httpapi", "cli", "client", "workload/process", "store/sqlite"},
	"stack":               {"rollout", "server", "httpapi", "cli", "client", "workload"},
	"httpapi":             {"server", "cli", "client", "workload/process", "store/sqlite"},
	"api":                 {"spec", "store", "workload", "server", "httpapi", "cli"},
	"client":              {"spec", "store", "workload", "server", "httpapi", "cli", "rollout", "stack"},
	"cli":                 {"server", "httpapi", "store", "workload", "rollout", "stack", "health"},
	"artifact":            {"store", "workload", "rollout", "stack", "server", "httpapi", "cli"},
	"analysis":            {"spec", "store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client", "router"},
	"router":              {"spec", "store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client"},
	"router/front":        {"spec", "store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client"},
	"mirror":              {"spec", "store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client", "router"},
	"flags":               {"store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client", "router"},
	"analysis/prometheus": {"spec", "store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client", "router"},
	"pipeline":            {"server", "httpapi", "cli", "client", "api"},
	"analysis/httpjson":   {"spec", "store", "workload", "rollout", "stack", "server", "httpapi", "cli", "client", "router"},
}

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for pkg, banned := range forbidden {
		for _, file := range goFiles(t, filepath.Join(root, pkg)) {
			checked++
			for _, imp := range imports(t, file) {
				for _, b := range banned {
					if imp == module+b || strings.HasPrefix(imp, module+b+"/") {
						rel, _ := filepath.Rel(root, file)
						t.Errorf("%s imports %s: %s must not depend on %s", rel, imp, pkg, b)
					}
				}
			}
		}
	}
	if checked < 30 {
		t.Fatalf("checked only %d files under %s: the test is not looking at the code", checked, root)
	}
}

// goFiles lists a package's non-test Go files, subpackages excluded
// unless they are covered by their own entry.
func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir {
			return fs.SkipDir
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			out = append(out, path)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func imports(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, imp := range f.Imports {
		out = append(out, strings.Trim(imp.Path.Value, `"`))
	}
	return out
}
