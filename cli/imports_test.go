package cli_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportDirection keeps the CLI a client: it reaches the server only
// through package client and the wire types of package api.
func TestImportDirection(t *testing.T) {
	forbidden := []string{"server", "httpapi", "store", "workload"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, file, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, pkg := range forbidden {
				prefix := "github.com/slipway-dev/slipway/" + pkg
				if path == prefix || strings.HasPrefix(path, prefix+"/") {
					t.Errorf("%s imports %s; the CLI must talk to the server through client and api", file, path)
				}
			}
		}
	}
}
