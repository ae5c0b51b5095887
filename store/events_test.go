package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/store"
)

var eventTypePattern = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`)

func TestEventTypesAreUniqueAndWellFormed(t *testing.T) {
	seen := map[store.EventType]bool{}
	for _, typ := range store.EventTypes() {
		if seen[typ] {
			t.Errorf("event type %q is listed twice", typ)
		}
		seen[typ] = true
		if !eventTypePattern.MatchString(typ.String()) {
			t.Errorf("event type %q does not match %s", typ, eventTypePattern)
		}
	}
	if len(seen) < 50 {
		t.Fatalf("only %d event types: EventTypes is missing some", len(seen))
	}
}

// TestEventTypesAreListed checks that every EventType constant declared
// in events.go is in EventTypes (which the other tests range over).
func TestEventTypesAreListed(t *testing.T) {
	listed := map[string]bool{}
	for _, typ := range store.EventTypes() {
		listed[typ.String()] = true
	}
	f, err := parser.ParseFile(token.NewFileSet(), "events.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := 0
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "EventType" {
			declared++
			if v := stringLit(vs.Values[0]); !listed[v] {
				t.Errorf("%s (%q) is not in EventTypes", vs.Names[0].Name, v)
			}
		}
		return true
	})
	if declared != len(listed) {
		t.Errorf("events.go declares %d event types, EventTypes lists %d", declared, len(listed))
	}
}

// TestNoEventTypeLiterals fails when non-test code outside
// store/events.go spells an event type as a string literal, or, in a
// file that imports the store (where events are written and read),
// builds one from a literal prefix such as "promotion.": writers and
// readers must use the constants, so that a rename cannot leave one
// behind. (Elsewhere such prefixes are other things: spec paths like
// "flags.KEY".)
func TestNoEventTypeLiterals(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: the test is not looking at the repository", root)
	}
	known, prefixes := map[string]bool{}, map[string]bool{}
	for _, typ := range store.EventTypes() {
		s := typ.String()
		known[s] = true
		for i := range len(s) {
			if s[i] == '.' {
				prefixes[s[:i+1]] = true
			}
		}
	}
	files := 0
	for _, path := range nonTestGoFiles(t, root) {
		if rel, _ := filepath.Rel(root, path); rel == filepath.Join("store", "events.go") {
			continue
		}
		files++
		lits, usesStore := literals(t, path)
		for _, lit := range lits {
			if known[lit.value] || usesStore && prefixes[lit.value] {
				t.Errorf("%s: event type %q as a string literal: use its store.Event* constant", lit.pos, lit.value)
			}
		}
	}
	if files < 100 {
		t.Fatalf("checked only %d files under %s: the test is not looking at the code", files, root)
	}
}

// nonTestGoFiles lists the repository's Go files but tests, skipping
// hidden directories and testdata.
func nonTestGoFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			out = append(out, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type literal struct {
	pos   token.Position
	value string
}

// literals returns the string literals of a Go file, imports aside, and
// whether it imports the store package.
func literals(t *testing.T, path string) (lits []literal, usesStore bool) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ImportSpec:
			usesStore = usesStore || stringLit(n.Path) == "github.com/slipway-dev/slipway/store"
			return false
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				lits = append(lits, literal{fset.Position(n.Pos()), stringLit(n)})
			}
		}
		return true
	})
	return lits, usesStore
}

func stringLit(e ast.Expr) string {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return ""
	}
	return s
}
