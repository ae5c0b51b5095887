package archtest

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const howToRank = "see docs/ARCHITECTURE.md#layers"

// TestLayersTableIsComplete fails on a package of the module missing from
// the layers table, and on a table entry or rule naming no package.
func TestLayersTableIsComplete(t *testing.T) {
	m := loadModule(t)
	ranks := rankTable(t)
	for _, pkg := range m.packages() {
		if _, ok := ranks[pkg]; !ok {
			t.Errorf("package %s has no rank: add %s to the layers table in internal/archtest/layers.go with its rank; %s", pkg, pkg, howToRank)
		}
	}
	for _, pkg := range namedPackages() {
		if _, ok := m.files[pkg]; !ok {
			t.Errorf("internal/archtest/layers.go names %s, which is no package of the module (no .go files in %s): remove or rename it", pkg, pkg)
		}
	}
}

// TestImportsGoDown checks every file of the module: a module package may
// be imported only from a strictly higher rank, or by a test file of the
// package itself or of a parent.
func TestImportsGoDown(t *testing.T) {
	m := loadModule(t)
	ranks := rankTable(t)
	for _, pkg := range m.packages() {
		from, ok := ranks[pkg]
		if !ok {
			continue // TestLayersTableIsComplete reports it
		}
		for _, file := range m.files[pkg] {
			for _, imp := range m.imports(t, file) {
				to, ok := ranks[imp]
				if !ok || mayImport(pkg, from, imp, to, isTest(file)) {
					continue
				}
				t.Errorf("%s imports %s: %s (rank %d) may import only packages of a lower rank, and %s has rank %d; %s",
					file, m.path+"/"+imp, pkg, from, imp, to, howToRank)
			}
		}
	}
}

// TestExtraRules checks what ranks cannot say: onlyImports (api, client,
// cli) and that only tests use the testSupport packages.
func TestExtraRules(t *testing.T) {
	m := loadModule(t)
	for _, pkg := range m.packages() {
		for _, file := range m.files[pkg] {
			if isTest(file) {
				continue
			}
			for _, imp := range m.imports(t, file) {
				if msg := extraRuleBroken(pkg, imp); msg != "" {
					t.Errorf("%s imports %s: %s; %s", file, m.path+"/"+imp, msg, howToRank)
				}
			}
		}
	}
}

// mayImport is the layering rule: a file of package from (at rank
// fromRank) may import package to (at rank toRank) if to is lower; a test
// file may also import its own package and its subpackages (suites and
// backends the package's tests run).
func mayImport(from string, fromRank int, to string, toRank int, test bool) bool {
	if toRank < fromRank {
		return true
	}
	return test && (to == from || strings.HasPrefix(to, from+"/"))
}

// extraRuleBroken says which extra rule a non-test file of pkg breaks by
// importing the module package imp, or "" if none.
func extraRuleBroken(pkg, imp string) string {
	if allowed, ok := onlyImports[pkg]; ok && !slices.Contains(allowed, imp) {
		if len(allowed) == 0 {
			return fmt.Sprintf("%s may import no package of the module", pkg)
		}
		return fmt.Sprintf("%s may import only %s of the module", pkg, strings.Join(allowed, ", "))
	}
	if slices.Contains(testSupport, imp) && !slices.Contains(testSupport, pkg) {
		return fmt.Sprintf("%s is test support: only test files may import it", imp)
	}
	return ""
}

// rankTable indexes layers by package, failing on a package ranked twice.
func rankTable(t *testing.T) map[string]int {
	t.Helper()
	ranks := make(map[string]int, len(layers))
	for _, l := range layers {
		if _, dup := ranks[l.pkg]; dup {
			t.Errorf("internal/archtest/layers.go ranks %s twice", l.pkg)
		}
		ranks[l.pkg] = l.rank
	}
	return ranks
}

// namedPackages lists every package layers.go names.
func namedPackages() []string {
	var out []string
	for _, l := range layers {
		out = append(out, l.pkg)
	}
	for pkg, allowed := range onlyImports {
		out = append(out, pkg)
		out = append(out, allowed...)
	}
	return append(out, testSupport...)
}

// isTest reports whether file is a test file.
func isTest(file string) bool { return strings.HasSuffix(file, "_test.go") }

// module is the module's source as the tests see it.
type module struct {
	root  string              // directory holding go.mod
	path  string              // module path, from go.mod
	files map[string][]string // package (path inside the module, "." for the root) -> its .go files, relative to root
}

// loadModule finds the module around the test's directory and walks it.
func loadModule(t *testing.T) *module {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	m := &module{root: root, path: modulePath(t, root), files: map[string][]string{}}
	if err := filepath.WalkDir(root, m.visit); err != nil {
		t.Fatal(err)
	}
	if len(m.files) < 30 {
		t.Fatalf("found only %d packages under %s: the test is not looking at the code", len(m.files), root)
	}
	return m
}

// visit records a .go file under its package, skipping what the go tool
// skips: testdata, vendor, directories starting with . or _, and nested
// modules.
func (m *module) visit(p string, d fs.DirEntry, err error) error {
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(m.root, p)
	if err != nil {
		return err
	}
	rel = filepath.ToSlash(rel)
	if d.IsDir() {
		if rel != "." && skipDir(p, d.Name()) {
			return fs.SkipDir
		}
		return nil
	}
	if strings.HasSuffix(rel, ".go") {
		pkg := path.Dir(rel)
		m.files[pkg] = append(m.files[pkg], rel)
	}
	return nil
}

// skipDir reports whether the go tool ignores the directory at p.
func skipDir(p, name string) bool {
	if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	_, err := os.Stat(filepath.Join(p, "go.mod"))
	return err == nil
}

// packages lists the module's packages, sorted.
func (m *module) packages() []string {
	var out []string
	for pkg := range m.files {
		out = append(out, pkg)
	}
	slices.Sort(out)
	return out
}

// imports lists the module packages file imports, as paths inside the
// module.
func (m *module) imports(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(m.root, file), nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, spec := range f.Imports {
		imp := strings.Trim(spec.Path.Value, `"`)
		if imp == m.path {
			out = append(out, ".")
		} else if rest, ok := strings.CutPrefix(imp, m.path+"/"); ok {
			out = append(out, rest)
		}
	}
	return out
}

// modulePath reads the module path from root/go.mod.
func modulePath(t *testing.T, root string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	t.Fatalf("%s/go.mod names no module", root)
	return ""
}

// TestMayImport pins the rule itself.
func TestMayImport(t *testing.T) {
	tests := []struct {
		from     string
		fromRank int
		to       string
		toRank   int
		test     bool
		want     bool
	}{
		{"store/sqlite", 5, "store", 3, false, true},
		{"store", 3, "store/sqlite", 5, false, false},
		{"store", 3, "store/sqlite", 5, true, true},         // own subpackage, in a test
		{"store", 3, "store", 3, true, true},                // external test package
		{"store", 3, "stack", 4, true, false},               // not a subpackage
		{"store", 3, "storetest", 4, true, false},           // a prefix, not a subpackage
		{"rollout", 6, "workload/process", 6, false, false}, // same rank
		{"workload/process", 6, "workload/workloadtest", 5, true, true},
	}
	for _, tt := range tests {
		got := mayImport(tt.from, tt.fromRank, tt.to, tt.toRank, tt.test)
		if got != tt.want {
			t.Errorf("mayImport(%s@%d -> %s@%d, test=%v) = %v, want %v", tt.from, tt.fromRank, tt.to, tt.toRank, tt.test, got, tt.want)
		}
	}
}
